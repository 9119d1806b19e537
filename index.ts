/**
 * Flyte on Kubernetes in one `pulumi up`: reads and validates the stack's config, builds the platform for the
 * chosen target and installs Flyte on it. Its outputs are the public contract in components/outputs.ts.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "./components/config";
import { FlyteBinary, FlyteCore, FlytePlatform, flyteWorkloads, identityOutputs } from "./components/flyte";
import type { AwsPlatform } from "./components/aws";
import type { GcpPlatform } from "./components/gcp";
import { awsTags } from "./components/aws/tags";
import { gcpLabels } from "./components/gcp/labels";
import { kubernetesLabels } from "./components/shared/labels";
import type { LocalPlatform } from "./components/local";
import { awsNames } from "./components/aws/names";
import { gcpNames } from "./components/gcp/names";
import { definedOutputs, FlyteStackOutputs } from "./components/contract/outputs";

const config = loadStackConfig();
const labels = kubernetesLabels(config);
const workloads = flyteWorkloads(config.flyte);

// Each platform is loaded only when chosen: a cloud's SDK takes a noticeable part of every plan's start-up.
/* eslint-disable @typescript-eslint/no-require-imports */
function createPlatform(): GcpPlatform | AwsPlatform | LocalPlatform {
    switch (config.cloud) {
        case "gcp": {
            const { GcpPlatform } = require("./components/gcp") as typeof import("./components/gcp");
            return new GcpPlatform("gcp", {
                config: config.gcp,
                protection: config.protection,
                names: gcpNames({ pulumiProject: config.pulumiProject, stack: config.stack, gcpProject: config.gcp.project }),
                workloads,
                labels: gcpLabels(config),
            });
        }
        case "aws": {
            const { AwsPlatform } = require("./components/aws") as typeof import("./components/aws");
            return new AwsPlatform("aws", {
                config: config.aws,
                protection: config.protection,
                names: awsNames(config),
                pulumiProject: config.pulumiProject,
                stack: config.stack,
                workloads,
                tags: awsTags(config),
            });
        }
        case "local": {
            const { LocalPlatform } = require("./components/local") as typeof import("./components/local");
            return new LocalPlatform("local", { config: config.local, protection: config.protection, workloads, labels });
        }
    }
}
/* eslint-enable @typescript-eslint/no-require-imports */

const platform = createPlatform();

const flytePlatform: FlytePlatform = platform;
const flyteArgs = { flyte: config.flyte, platform: flytePlatform, labels };
const flyte = config.flyte.flavor === "core" ? new FlyteCore("flyte", flyteArgs) : new FlyteBinary("flyte", flyteArgs);
const identities = identityOutputs(workloads, config.flyte.flavor, flytePlatform.identity);
const local = config.cloud === "local" ? (platform as LocalPlatform) : undefined;

const outputs: FlyteStackOutputs = {
    grpcEndpoint: flyte.grpcEndpoint,
    httpEndpoint: flyte.httpEndpoint,
    consoleUrl: flyte.consoleUrl,
    flytectlConfig: flyte.flytectlConfig,
    portForwardCommand: flyte.portForwardCommand,
    kubeconfig: pulumi.secret(platform.kubeconfig),
    clusterName: platform.clusterName,
    metadataBucket: platform.storage.metadataBucket,
    userDataBucket: platform.storage.userDataBucket,
    databaseHost: platform.database.host,
    // Cloud identities, or on local the Kubernetes service accounts themselves.
    backendServiceAccount: identities.backendServiceAccount,
    identities: identities.identities,
    workerServiceAccount: identities.workerServiceAccount,
    projectWorkerServiceAccounts: identities.projectWorkerServiceAccounts,
    projectDataLocations: flyte.projectDataLocations?.prefixes,
    minioConsoleUrl: local?.minioConsoleUrl,
    minioRootUser: local?.minio.rootUser,
    minioRootPassword: local?.minio.rootPassword,
    kubernetesDashboardUrl: local?.dashboard?.url,
};

// The stack's outputs (see FlyteStackOutputs): the public contract.
export = definedOutputs(outputs);
