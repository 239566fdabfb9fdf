/**
 * HTTP routes: {@code /score}, the V2 protocol, OpenAPI, auth, {@code /events/<token>}, request ids
 * and error bodies.
 */
package dev.knoe.scoring.http;
