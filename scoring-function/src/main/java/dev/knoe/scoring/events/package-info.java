/** CloudEvents 1.0 triggers (binary and structured mode) through Funqy Knative Events. */
package dev.knoe.scoring.events;
