/** The Knative Pod Autoscaler decision, without a framework or a hidden clock (filled by the autoscaler issue). */
package dev.knoe.autoscaler;
