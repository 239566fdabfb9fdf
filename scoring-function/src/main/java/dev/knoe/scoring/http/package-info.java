/** HTTP routes: {@code /score}, the V2 protocol, OpenAPI, auth, request ids and error bodies. */
package dev.knoe.scoring.http;
