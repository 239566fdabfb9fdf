/** {@code knoe serve}: configuration and wiring of the embedded platform (API, router, local backend). */
package dev.knoe.control.serve;
