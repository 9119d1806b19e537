/**
 * Flyte on Kubernetes in one `pulumi up`: reads and validates the stack's config, builds the platform for the
 * chosen cloud and installs Flyte on it. The exports below are the stack's public outputs contract.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "./components/config";
import { FlyteBinary, flyteBinaryWorkloads } from "./components/flyte";
import { GcpPlatform } from "./components/gcp";
import { gcpLabels, kubernetesLabels } from "./components/labels";
import { gcpNames } from "./components/naming";

const config = loadStackConfig();

const platform = new GcpPlatform("gcp", {
    config: config.gcp,
    protection: config.protection,
    names: gcpNames({ pulumiProject: config.pulumiProject, stack: config.stack, gcpProject: config.gcp.project }),
    workloads: flyteBinaryWorkloads(config.flyte),
    labels: gcpLabels(config),
});

const flyte = new FlyteBinary("flyte", { flyte: config.flyte, platform, labels: kubernetesLabels(config) });

/** gRPC endpoint, `host:port`, for flytectl and pyflyte. */
export const grpcEndpoint = flyte.grpcEndpoint;
/** Base URL of Flyte's HTTP API. */
export const httpEndpoint = flyte.httpEndpoint;
export const consoleUrl = flyte.consoleUrl;
/** Contents for `~/.flyte/config.yaml`. */
export const flytectlConfig = flyte.flytectlConfig;
export const kubeconfig = pulumi.secret(platform.kubeconfig);
export const clusterName = platform.clusterName;
export const metadataBucket = platform.storage.metadataBucket;
export const userDataBucket = platform.storage.userDataBucket;
export const databaseHost = platform.database.host;
/** Cloud identity of the Flyte backend (a Google service account email on GCP). */
export const backendServiceAccount = platform.identity.backend;
/** Cloud identity of task pods. */
export const workerServiceAccount = platform.identity.worker;
