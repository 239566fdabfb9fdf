/**
 * The {@code knoe} command-line client: {@code az ml online-endpoint}/{@code online-deployment}
 * style commands that call the control API over HTTP, without booting Quarkus.
 */
package dev.knoe.control.cli;
