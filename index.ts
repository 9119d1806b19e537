/**
 * Flyte on Kubernetes in one `pulumi up`: reads and validates the stack's config, builds the platform for the
 * chosen target and installs Flyte on it. Its outputs are the public contract in components/contract/outputs.ts.
 * A multi-cluster deployment (flyte:clusterRole) reads the other side's outputs through stack references first.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "./components/config";
import { FlyteBinary, FlyteCore, FlytePlatform, FlyteWorkloads, flyteWorkloads, identityStackOutputs } from "./components/flyte";
import { kubernetesLabels } from "./components/shared/labels";
import { definedOutputs, executionEventsTopic, FlyteStackOutputs, zoneFileLines } from "./components/contract/outputs";
import { commonPlatformArgs } from "./components/contract/platform";
import type { AwsStackConfig, GcpStackConfig, StackConfig } from "./components/contract/config";
import type { ControlPlaneConfig, DataPlaneConfig, DataPlaneOutput, FlyteDataPlanePlatform, ResolvedDataPlane } from "./components/contract/multiCluster";
import { checkDataPlaneJoin, checkDataPlanes, dataPlaneFlyteConfig, publishedControlPlane, readControlPlane, readDataPlanes } from "./components/flyte/stackReferences";

const config = loadStackConfig();
const labels = kubernetesLabels(config);

/* eslint-disable @typescript-eslint/no-require-imports */
// Each platform is loaded only when chosen: a cloud's SDK takes a noticeable part of every plan's start-up.
function createPlatform(stack: StackConfig, workloads: FlyteWorkloads, dataPlanes: readonly DataPlaneOutput[]): FlytePlatform {
    const common = commonPlatformArgs(stack, workloads, dataPlanes);
    // Every platform takes the same arguments (FlytePlatformArgs) and is seen only as a FlytePlatform from here on.
    switch (stack.cloud) {
        case "gcp": {
            const { GcpPlatform } = require("./components/gcp") as typeof import("./components/gcp");
            return new GcpPlatform("gcp", { ...common, config: stack.gcp });
        }
        case "aws": {
            const { AwsPlatform } = require("./components/aws") as typeof import("./components/aws");
            return new AwsPlatform("aws", { ...common, config: stack.aws });
        }
        case "local": {
            const { LocalPlatform } = require("./components/local") as typeof import("./components/local");
            return new LocalPlatform("local", { ...common, config: stack.local });
        }
    }
}

/** A standalone Flyte, or a control plane with the data planes that have published their outputs. */
function flyteStack(controlPlane?: { readonly config: ControlPlaneConfig; readonly dataPlanes: readonly ResolvedDataPlane[] }) {
    const workloads = flyteWorkloads(config.flyte, { propeller: controlPlane === undefined || controlPlane.config.propeller });
    const platform = createPlatform(
        config,
        workloads,
        (controlPlane?.dataPlanes ?? []).map((d) => d.output),
    );
    const verification = config.verification && { ...config.verification, stack: config.stack };
    const flyteArgs = { flyte: config.flyte, platform, labels, verification, controlPlane };
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
        ...(controlPlane && controlPlaneOutputs(platform, flyte, identities.identities)),
    };
    return definedOutputs(outputs);
}

/** What a control plane publishes for its data planes (`controlPlane`, and with sign-in `controlPlaneClientSecret`). */
function controlPlaneOutputs(platform: FlytePlatform, flyte: FlyteCore | FlyteBinary, identities: pulumi.Output<Record<string, string>>) {
    const network = platform.controlPlane;
    const clusters = flyte.controlPlaneClusters;
    if (network === undefined || clusters === undefined) {
        throw new Error("a control plane needs its platform's network side and its clusters");
    }
    const { exposure } = platform;
    const published = pulumi
        .all([
            flyte.grpcEndpoint,
            clusters.datacatalog,
            network.published,
            platform.storage.metadataBucket,
            platform.storage.userDataBucket,
            identities,
            pulumi.all(Object.fromEntries(Object.entries(platform.storage.projects).map(([p, b]) => [p, b.bucket]))),
        ])
        .apply(([grpc, datacatalog, networkOutput, metadataBucket, userDataBucket, all, projectBuckets]) =>
            publishedControlPlane({
                flyte: config.flyte,
                network: networkOutput,
                // Over HTTPS the data planes use Flyte's name with TLS; otherwise the internal load balancer in plaintext.
                admin: { endpoint: grpc, insecure: exposure.kind !== "https" },
                datacatalog,
                metadataBucket,
                userDataBucket,
                projectBuckets,
                identities: all,
                propellerClientId: flyte.propellerClient?.id,
            }),
        );
    return {
        controlPlane: published,
        controlPlaneClientSecret: flyte.propellerClient && pulumi.secret(flyte.propellerClient.secret),
    };
}

/** A data plane: a cluster with flytepropeller for the control plane in flyte:controlPlaneStack. */
async function dataPlaneStack(stack: GcpStackConfig | AwsStackConfig, dataPlane: DataPlaneConfig) {
    const controlPlane = await readControlPlane(dataPlane.controlPlaneStack);
    checkDataPlaneJoin({ stack: dataPlane.controlPlaneStack, controlPlane: controlPlane.output, config: dataPlane, region: stack.cloud === "gcp" ? stack.gcp.region : stack.aws.region });
    const flyte = dataPlaneFlyteConfig(stack.flyte, controlPlane.output);
    const common = {
        protection: stack.protection,
        deployment: { pulumiProject: stack.pulumiProject, stack: stack.stack },
        flyteNamespace: flyte.namespace,
        rawDataBucket: dataPlane.rawDataBucket,
    };
    let platform: FlyteDataPlanePlatform;
    if (stack.cloud === "gcp") {
        const { GcpDataPlanePlatform, checkDataPlaneNetwork } = require("./components/gcp") as typeof import("./components/gcp");
        const gcpControlPlane = checkDataPlaneNetwork({ config: stack.gcp, controlPlane: controlPlane.output, stack: dataPlane.controlPlaneStack });
        platform = new GcpDataPlanePlatform("gcp", { ...common, config: stack.gcp, controlPlane: gcpControlPlane });
    } else {
        const aws = require("./components/aws") as typeof import("./components/aws");
        // Which account this stack deploys into: only the VPC's owner adds a CIDR block to it.
        const { accountId } = await aws.callerAccount();
        const awsControlPlane = aws.checkAwsDataPlane({
            config: { region: stack.aws.region, vpcCidr: stack.aws.network.vpcCidr },
            accountId,
            controlPlane: controlPlane.output,
            controlPlaneStack: dataPlane.controlPlaneStack,
            rawDataBucket: dataPlane.rawDataBucket,
        });
        platform = new aws.AwsDataPlanePlatform("aws", { ...common, config: stack.aws, controlPlane: awsControlPlane });
    }
    const { FlyteDataPlane } = require("./components/flyte/flyteDataPlane") as typeof import("./components/flyte/flyteDataPlane");
    const flyteDataPlane = new FlyteDataPlane("flyte", { flyte, platform, controlPlane, tokenGeneration: dataPlane.tokenGeneration, labels });
    return definedOutputs({
        kubeconfig: pulumi.secret(platform.kubeconfig),
        clusterName: platform.clusterName,
        dataPlane: flyteDataPlane.dataPlaneOutput,
        dataPlaneToken: pulumi.secret(flyteDataPlane.token),
    });
}

/** A control plane with the data planes that have published their outputs, each checked against it. */
async function controlPlaneStack(controlPlane: ControlPlaneConfig) {
    const dataPlanes = await readDataPlanes(controlPlane.dataPlanes);
    const awsAccountId = config.cloud === "aws" ? (await (require("./components/aws") as typeof import("./components/aws")).callerAccount()).accountId : undefined;
    checkDataPlanes(config.cloud, dataPlanes, awsAccountId);
    return flyteStack({ config: controlPlane, dataPlanes });
}
/* eslint-enable @typescript-eslint/no-require-imports */

function stackOutputs() {
    const role = config.multiCluster;
    if (role === undefined) {
        return flyteStack();
    }
    if (role.role === "controlPlane") {
        return controlPlaneStack(role);
    }
    if (config.cloud === "local") {
        throw new Error(`clusterRole ${role.role} on cloud ${config.cloud}`);
    }
    return dataPlaneStack(config, role);
}

// The stack's outputs (see FlyteStackOutputs): the public contract.
export = stackOutputs();
