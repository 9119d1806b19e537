import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { LocalConfig, NotificationsConfig } from "../contract/config";
import type { PlatformOutputs } from "../contract/outputs";
import type {
    FlyteDatabase,
    FlyteMessaging,
    FlytePlatform,
    FlytePlatformArgs,
    NodePortExposure,
    S3CompatibleStorage,
    TaskLogLink,
} from "../contract/platform";
import { kubernetesLabels } from "../shared/labels";
import { localClusterName, readKubeconfig, resolveKubeconfigPath } from "./kubeconfig";
import { dashboardTaskLogLink, KubernetesDashboard } from "./kubernetesDashboard";
import type { FlyteWorkloads } from "../contract/identities";
import { LocalMinio, MINIO_REGION, minioEndpoint, MinioProjectData } from "./localMinio";
import { LocalPostgres } from "./localPostgres";
import { localProjectBucket } from "./names";

export const LOCAL_METADATA_BUCKET = "flyte-metadata";
export const LOCAL_USER_DATA_BUCKET = "flyte-userdata";

/** Each isolated project's bucket and metadata prefixes, from Flyte's identity requests. */
export function minioProjects(workloads: FlyteWorkloads): MinioProjectData[] {
    return workloads.identities.flatMap((request) =>
        request.data.kind === "project"
            ? [
                  {
                      project: request.data.project,
                      bucket: localProjectBucket(request.data.project),
                      metadataPrefixes: request.data.metadataPrefixes,
                  },
              ]
            : [],
    );
}

/**
 * flyteadmin's messaging on a workstation: email notifications through flyteadmin's in-process `sandbox` channel,
 * sent through the SMTP server the user names. The channel is a Go channel between the publisher and the processor
 * of the one flyteadmin process (both made in flyteadmin/pkg/rpc/adminservice/base.go:84-85 at v1.16.8;
 * flyteadmin/pkg/async/notifications/factory.go:232 and :330 pick implementations/sandbox_processor.go and
 * sandbox_publisher.go for type `sandbox`), so nothing outside flyteadmin is created or waited for. The processor
 * drains it every 30 s (async.RetryDelay, flyteadmin/pkg/async/shared.go:11): an email leaves up to 30 s after the
 * phase it reports. No cloud topic, so no execution events. Undefined without notifications.
 */
export function localMessaging(notifications: NotificationsConfig | undefined, executionEvents: boolean): FlyteMessaging | undefined {
    if (executionEvents) {
        throw new Error("local: execution events need a cloud topic (gcp or aws); the local target has none");
    }
    if (notifications === undefined) {
        return undefined;
    }
    const { email } = notifications;
    if (email.service !== "smtp") {
        throw new Error(`local: notifications are sent through SMTP only, not ${email.service}`);
    }
    return {
        notifications: {
            channel: { type: "sandbox" },
            sender: notifications.sender,
            email: {
                service: "smtp",
                server: email.server,
                port: email.port,
                username: email.username,
                password: pulumi.secret(email.password),
            },
        },
    };
}

/** kind, k3d and Docker Desktop publish NodePorts on the workstation's loopback. */
export const LOCAL_HOST = "localhost";

/**
 * The shape every platform takes. With project isolation each project's identity request gets a MinIO user of its
 * own; the Kubernetes labels come from kubernetesLabels, as Flyte's own do.
 */
export type LocalPlatformArgs = FlytePlatformArgs<LocalConfig>;

/**
 * Flyte's dependencies on a cluster that already exists (kind, k3d, Docker Desktop): Postgres and MinIO in their
 * own namespace, optionally the Kubernetes dashboard, and NodePorts for everything people reach from the
 * workstation. Hands the same FlytePlatform to the Flyte layer as the clouds do.
 */
export class LocalPlatform extends pulumi.ComponentResource implements FlytePlatform {
    readonly postgres: LocalPostgres;
    readonly minio: LocalMinio;
    readonly dashboard?: KubernetesDashboard;

    readonly kubernetesProvider: k8s.Provider;
    readonly kubeconfig: pulumi.Output<string>;
    readonly clusterName: pulumi.Output<string>;
    readonly database: FlyteDatabase;
    readonly storage: S3CompatibleStorage;
    readonly taskLogs: readonly TaskLogLink[];
    readonly exposure: NodePortExposure;
    readonly releaseDependencies: readonly pulumi.Resource[];
    /** MinIO's users and policies are made with its buckets, which the release already waits for. */
    readonly identityGrants: Readonly<Record<string, readonly pulumi.Resource[]>> = {};
    readonly minioConsoleUrl: pulumi.Output<string>;
    readonly extraOutputs: PlatformOutputs;
    readonly messaging?: FlyteMessaging;

    constructor(name: string, args: LocalPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:local:LocalPlatform", name, {}, opts);
        const { config } = args;
        // Before anything is declared. Nothing for the release to wait for: the channel lives in flyteadmin, the SMTP
        // server is the user's.
        this.messaging = localMessaging(args.notifications, args.executionEvents);
        const labels = kubernetesLabels(args.deployment);
        const protect = args.protection.deletionProtection;

        const kubeconfigPath = resolveKubeconfigPath(config.kubeconfig, { KUBECONFIG: process.env.KUBECONFIG, HOME: process.env.HOME });
        const kubeconfigText = readKubeconfig(kubeconfigPath);
        this.kubeconfig = pulumi.secret(kubeconfigText ?? "");
        this.clusterName = pulumi.output(localClusterName(config.context, kubeconfigText));
        this.kubernetesProvider = new k8s.Provider(
            `${name}-k8s`,
            {
                kubeconfig: config.kubeconfig === "" ? undefined : config.kubeconfig,
                context: config.context === "" ? undefined : config.context,
            },
            { parent: this },
        );
        const k8sOpts = { parent: this, provider: this.kubernetesProvider };

        const namespace = new k8s.core.v1.Namespace(
            `${name}-namespace`,
            { metadata: { name: config.namespace, labels: { ...labels } } },
            k8sOpts,
        );

        this.postgres = new LocalPostgres(
            `${name}-postgres`,
            {
                namespace: namespace.metadata.name,
                image: config.postgres.image,
                volumeGi: config.postgres.volumeGi,
                storageClass: config.storageClass,
                protect,
                labels,
                provider: this.kubernetesProvider,
            },
            { parent: this },
        );

        const projects = minioProjects(args.workloads);
        this.minio = new LocalMinio(
            `${name}-minio`,
            {
                namespace: namespace.metadata.name,
                image: config.minio.image,
                clientImage: config.minio.clientImage,
                volumeGi: config.minio.volumeGi,
                storageClass: config.storageClass,
                metadataBucket: LOCAL_METADATA_BUCKET,
                userDataBucket: LOCAL_USER_DATA_BUCKET,
                projects,
                nodePorts: { api: config.nodePorts.minio, console: config.nodePorts.minioConsole },
                protect,
                labels,
                provider: this.kubernetesProvider,
            },
            { parent: this },
        );
        this.minioConsoleUrl = pulumi.output(`http://${LOCAL_HOST}:${config.nodePorts.minioConsole}`);

        if (config.dashboard) {
            this.dashboard = new KubernetesDashboard(
                `${name}-dashboard`,
                { nodePort: config.nodePorts.dashboard, labels, provider: this.kubernetesProvider },
                { parent: this },
            );
        }

        this.database = this.postgres.connection;
        this.storage = {
            provider: "s3-compatible",
            region: MINIO_REGION,
            metadataBucket: pulumi.output(LOCAL_METADATA_BUCKET),
            userDataBucket: pulumi.output(LOCAL_USER_DATA_BUCKET),
            endpoint: minioEndpoint(config.namespace),
            disableSSL: true,
            accessKey: { id: this.minio.accessKeyId, secret: this.minio.secretAccessKey },
            signedUrlEndpoint: `http://${LOCAL_HOST}:${config.nodePorts.minio}`,
            projects: Object.fromEntries(
                projects.map((p) => [p.project, { bucket: pulumi.output(p.bucket), accessKey: this.minio.projectKeys[p.project] }]),
            ),
        };
        this.taskLogs = config.dashboard ? [dashboardTaskLogLink(config.nodePorts.dashboard)] : [];
        this.exposure = {
            kind: "nodePort",
            host: LOCAL_HOST,
            httpNodePort: config.nodePorts.http,
            grpcNodePort: config.nodePorts.grpc,
        };
        // Flyte connects to both at start-up: wait until Postgres answers and the buckets exist.
        this.releaseDependencies = [this.postgres.deployment, this.minio.bucketsReady];
        this.extraOutputs = {
            minioConsoleUrl: this.minioConsoleUrl,
            minioRootUser: this.minio.root.user,
            minioRootPassword: this.minio.root.password,
            kubernetesDashboardUrl: this.dashboard?.url,
        };

        this.registerOutputs({ clusterName: this.clusterName });
    }
}
