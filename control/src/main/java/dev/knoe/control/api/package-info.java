/** The control API: thin REST resources over the control plane, YAML or JSON in, JSON out, admin credential required. */
package dev.knoe.control.api;
