/** The OpenAPI document of {@code /score}, generated from the model's signature. */
package dev.knoe.scoring.openapi;
