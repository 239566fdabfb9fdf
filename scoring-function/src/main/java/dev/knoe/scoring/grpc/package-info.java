/**
 * The Open Inference Protocol over gRPC ({@code inference.GRPCInferenceService}), on the HTTP port:
 * the service, and the gate that checks credentials, deployment and traffic as the HTTP routes do.
 */
package dev.knoe.scoring.grpc;
