/**
 * Endpoint keys, the token signing key and the admin credential, kept owner-only under the data
 * directory.
 */
package dev.knoe.control.credentials;
