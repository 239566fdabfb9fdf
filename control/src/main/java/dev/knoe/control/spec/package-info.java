/** Endpoint and deployment specs: immutable records, a YAML/JSON parser and writer, validation. */
package dev.knoe.control.spec;
