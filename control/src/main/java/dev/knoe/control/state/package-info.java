/** Embedded state under the data directory: files written atomically, so a crash leaves old or new, never half. */
package dev.knoe.control.state;
