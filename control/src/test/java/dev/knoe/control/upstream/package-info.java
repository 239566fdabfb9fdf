/**
 * Upstream code as the tests' judge: a real etcd and kube-apiserver, and Knative's own validation.
 */
package dev.knoe.control.upstream;
