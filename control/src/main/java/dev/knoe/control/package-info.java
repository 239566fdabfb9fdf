/** The control plane: API, state, backends, router and CLI (filled by the control-plane issue). */
package dev.knoe.control;
