/**
 * Custom Java scoring handlers ({@code dev.knoe.spi.ScoringHandler}) loaded from a jar or class
 * folder.
 */
package dev.knoe.scoring.handler;
