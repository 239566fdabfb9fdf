/**
 * Files written atomically and owner-only, so a crash leaves the old or the new content, never
 * half.
 */
package dev.knoe.control.files;
