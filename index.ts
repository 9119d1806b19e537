/**
 * Flyte on Kubernetes in one `pulumi up`: reads and validates the stack's config, builds the platform for the
 * chosen target and installs Flyte on it. Its outputs are the public contract in components/contract/outputs.ts.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "./components/config";
import { FlyteBinary, FlyteCore, FlytePlatform, flyteWorkloads, identityStackOutputs } from "./components/flyte";
import { kubernetesLabels } from "./components/shared/labels";
import { definedOutputs, executionEventsTopic, FlyteStackOutputs, zoneFileLines } from "./components/contract/outputs";
import { commonPlatformArgs } from "./components/contract/platform";

const config = loadStackConfig();
const labels = kubernetesLabels(config);
const workloads = flyteWorkloads(config.flyte);

// Every platform takes the same arguments (FlytePlatformArgs) and is seen only as a FlytePlatform from here on.
const common = commonPlatformArgs(config, workloads);

// Each platform is loaded only when chosen: a cloud's SDK takes a noticeable part of every plan's start-up.
/* eslint-disable @typescript-eslint/no-require-imports */
function createPlatform(): FlytePlatform {
    switch (config.cloud) {
        case "gcp": {
            const { GcpPlatform } = require("./components/gcp") as typeof import("./components/gcp");
            return new GcpPlatform("gcp", { ...common, config: config.gcp });
        }
        case "aws": {
            const { AwsPlatform } = require("./components/aws") as typeof import("./components/aws");
            return new AwsPlatform("aws", { ...common, config: config.aws });
        }
        case "local": {
            const { LocalPlatform } = require("./components/local") as typeof import("./components/local");
            return new LocalPlatform("local", { ...common, config: config.local });
        }
    }
}
/* eslint-enable @typescript-eslint/no-require-imports */

const platform = createPlatform();

const verification = config.verification && { ...config.verification, stack: config.stack };
const flyteArgs = { flyte: config.flyte, platform, labels, verification };
const flyte = config.flyte.flavor === "core" ? new FlyteCore("flyte", flyteArgs) : new FlyteBinary("flyte", flyteArgs);
const identities = identityStackOutputs(workloads, config.flyte.flavor, platform.identity);
const { exposure } = platform;
// Without a zone to write to, the records a person creates; with one, the program writes them itself.
const dnsRecordsToCreate = exposure.kind === "https" && config.https?.dnsZone === "" ? exposure.dnsRecordsToCreate.apply(zoneFileLines) : undefined;

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
    dnsRecordsToCreate,
    oidcRedirectUris: flyte.oidcRedirectUris,
    ciClientId: flyte.ciClientId,
    ciClientSecret: flyte.ciClientSecret === undefined ? undefined : pulumi.secret(flyte.ciClientSecret),
    executionEventsTopic: executionEventsTopic(platform.messaging?.events),
    verificationJobs: flyte.verification?.jobs,
    // What only this target has (local: MinIO's console and credentials, the dashboard), as its platform states it.
    ...platform.extraOutputs,
};

// The stack's outputs (see FlyteStackOutputs): the public contract.
export = definedOutputs(outputs);
