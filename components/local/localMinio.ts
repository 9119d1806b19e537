import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import {
    JOB_ANNOTATIONS,
    JOB_TERMINATION_MESSAGE_POLICY,
    jobBounds,
    jobCustomTimeouts,
    restrictedContainerSecurityContext,
    restrictedPodSecurityContext,
    scratchVolume,
} from "../shared/hardening";
import { s3ProjectPolicy, s3ReadWritePolicy } from "../contract/s3Access";
import { dataVolume } from "./volume";

export const MINIO_SERVICE = "minio";
export const MINIO_API_PORT = 9000;
export const MINIO_CONSOLE_PORT = 9001;
/** MinIO ignores the region, but S3 clients need one. */
export const MINIO_REGION = "us-east-1";
/** The MinIO user Flyte and its task pods use: read and write on Flyte's buckets, nothing else. */
export const FLYTE_MINIO_POLICY = "flyte-buckets";
/**
 * How often, and how many seconds apart, the bucket Job tries to reach MinIO before it gives up: well inside the
 * Job's deadline (JOB_DEADLINE_SECONDS) even when every attempt waits out mc's 10 s connect timeout.
 */
export const MINIO_WAIT_ATTEMPTS = 12;
export const MINIO_WAIT_DELAY_SECONDS = 5;
/**
 * MinIO's and mc's images run as root (no USER in minio's Dockerfile.release nor mc's); here they run as this uid
 * and gid (the official MinIO chart's choice), and the data volume is group-owned by it where the volume type
 * supports fsGroup. kind's and k3d's local-path volumes do not (host directories, made with `mkdir -m 0777`:
 * rancher/local-path-provisioner deploy/local-path-storage.yaml),
 * so a volume MinIO wrote as root before cannot be written now: the README says to recreate the local stack.
 */
export const MINIO_USER = { uid: 1000, gid: 1000 } as const;
/** MinIO creates its certificate directory at start (it is fatal if it cannot): under /tmp, with a read-only root. */
export const MINIO_CERTS_DIR = "/tmp/certs";

/** With project isolation: a project's own bucket, and its prefixes in the shared metadata bucket. */
export interface MinioProjectData {
    readonly project: string;
    readonly bucket: string;
    readonly metadataPrefixes: readonly string[];
}

/** The MinIO policy of one project's task pods. */
export function projectMinioPolicyName(project: string): string {
    return `flyte-project-${project}`;
}

function minioArn(bucket: string): string {
    return `arn:aws:s3:::${bucket}`;
}

/** Environment variables of the bucket job holding project i's keys (project ids are not variable names). */
export function projectKeyVariables(index: number): { accessKey: string; secretKey: string } {
    return { accessKey: `PROJECT_${index}_ACCESS_KEY`, secretKey: `PROJECT_${index}_SECRET_KEY` };
}

export interface LocalMinioArgs {
    readonly namespace: pulumi.Input<string>;
    readonly image: string;
    readonly clientImage: string;
    readonly volumeGi: number;
    /** Empty for the cluster's default StorageClass. */
    readonly storageClass: string;
    readonly metadataBucket: string;
    readonly userDataBucket: string;
    /** With project isolation: each project's bucket and metadata prefixes; its task pods get a user of their own. */
    readonly projects: readonly MinioProjectData[];
    readonly nodePorts: { readonly api: number; readonly console: number };
    /** Pulumi `protect` on the data volume. */
    readonly protect: boolean;
    readonly labels: Readonly<Record<string, string>>;
    readonly provider: k8s.Provider;
}

/** MinIO's S3 endpoint as pods reach it. */
export function minioEndpoint(namespace: string): string {
    return `http://${MINIO_SERVICE}.${namespace}.svc.cluster.local:${MINIO_API_PORT}`;
}

/** The IAM-style policy MinIO enforces for Flyte's user: its buckets and their objects. */
export function flyteBucketPolicy(buckets: readonly string[]): string {
    return s3ReadWritePolicy(buckets.map(minioArn));
}

/**
 * The script the bucket job runs with mc: create the buckets (metadata versioned), and Flyte's user with a policy
 * on them; with project isolation also each project's user, limited to its own bucket and metadata prefixes.
 * Safe to run again.
 */
export function bucketSetupScript(args: {
    endpoint: string;
    metadataBucket: string;
    userDataBucket: string;
    projects: readonly MinioProjectData[];
}): string {
    const user = (policyName: string, policy: string, accessKeyVariable: string, secretKeyVariable: string) => [
        `cat > /tmp/${policyName}.json <<'POLICY'`,
        policy,
        "POLICY",
        `mc admin policy create local ${policyName} /tmp/${policyName}.json`,
        `mc admin user add local "$${accessKeyVariable}" "$${secretKeyVariable}"`,
        // Attaching twice fails; a user that already has the policy is what we want.
        `mc admin policy attach local ${policyName} --user "$${accessKeyVariable}" || mc admin user info local "$${accessKeyVariable}" | grep -q ${policyName}`,
    ];
    const flyteBuckets = [args.metadataBucket, args.userDataBucket, ...args.projects.map((p) => p.bucket)];
    const attempts = MINIO_WAIT_ATTEMPTS;
    return [
        "set -eu",
        // Whatever fails after this point, the last line of the log (the Job's failure message) says what it was.
        `trap 'status=$?; if [ "$status" -ne 0 ]; then echo "MinIO setup at ${args.endpoint} failed (exit $status): the error is above" >&2; fi' EXIT`,
        // The alias is where mc first talks to the server (it checks the credentials). mc gives up connecting after
        // 10 s (mc cmd/client-s3.go, newCustomDialContext); the Job's deadline bounds everything else.
        "attempt=1",
        `until mc alias set local ${args.endpoint} "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"; do`,
        `  if [ "$attempt" -ge ${attempts} ]; then echo "MinIO at ${args.endpoint} did not answer in ${attempts} attempts: giving up" >&2; exit 1; fi`,
        `  echo "waiting for MinIO at ${args.endpoint} (attempt $attempt of ${attempts})"`,
        "  attempt=$((attempt + 1))",
        `  sleep ${MINIO_WAIT_DELAY_SECONDS}`,
        "done",
        `echo "MinIO at ${args.endpoint} answers: creating buckets and users"`,
        ...flyteBuckets.map((bucket) => `mc mb --ignore-existing local/${bucket}`),
        `mc version enable local/${args.metadataBucket}`,
        ...user(FLYTE_MINIO_POLICY, flyteBucketPolicy(flyteBuckets), "FLYTE_ACCESS_KEY", "FLYTE_SECRET_KEY"),
        ...args.projects.flatMap((p, index) => {
            const variables = projectKeyVariables(index);
            const policy = s3ProjectPolicy({
                projectBucketArn: minioArn(p.bucket),
                metadataBucketArn: minioArn(args.metadataBucket),
                metadataPrefixes: p.metadataPrefixes,
            });
            return user(projectMinioPolicyName(p.project), policy, variables.accessKey, variables.secretKey);
        }),
        "",
    ].join("\n");
}

/**
 * MinIO for Flyte inside the cluster: a persistent volume, generated credentials kept as Pulumi secrets (an admin
 * for the console, and a user for Flyte limited to its buckets), NodePorts for the S3 API and the console, and
 * a job that creates the buckets. Whatever waits on `bucketsReady` waits until the buckets exist.
 */
export class LocalMinio extends pulumi.ComponentResource {
    readonly deployment: k8s.apps.v1.Deployment;
    readonly service: k8s.core.v1.Service;
    readonly volume: k8s.core.v1.PersistentVolumeClaim;
    /** Completes once both buckets and Flyte's user exist. */
    readonly bucketsReady: k8s.batch.v1.Job;
    /** The S3 endpoint as pods reach it. */
    readonly endpoint: pulumi.Output<string>;
    readonly rootUser: pulumi.Output<string>;
    readonly rootPassword: pulumi.Output<string>;
    readonly accessKeyId: pulumi.Output<string>;
    readonly secretAccessKey: pulumi.Output<string>;
    /** With project isolation: each project's keys (Pulumi secrets), by project. */
    readonly projectKeys: Readonly<Record<string, { readonly id: pulumi.Output<string>; readonly secret: pulumi.Output<string> }>>;

    constructor(name: string, args: LocalMinioArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:local:LocalMinio", name, {}, opts);
        const k8sOpts = { parent: this, provider: args.provider };
        const appLabels = { "app.kubernetes.io/name": "minio", "app.kubernetes.io/component": "flyte-object-store" };
        const labels = { ...args.labels, ...appLabels };

        const rootPassword = new random.RandomPassword(`${name}-root-password`, { length: 32, special: false }, { parent: this });
        const secretKey = new random.RandomPassword(`${name}-flyte-secret-key`, { length: 40, special: false }, { parent: this });
        const accessKey = new random.RandomString(
            `${name}-flyte-access-key`,
            { length: 20, special: false, upper: true, lower: false },
            { parent: this },
        );
        this.rootUser = pulumi.secret("flyte-admin");
        this.rootPassword = pulumi.secret(rootPassword.result);
        this.accessKeyId = pulumi.secret(accessKey.result);
        this.secretAccessKey = pulumi.secret(secretKey.result);
        const projectKeys: Record<string, { id: pulumi.Output<string>; secret: pulumi.Output<string> }> = {};
        const projectKeyData: Record<string, pulumi.Output<string>> = {};
        args.projects.forEach((p, index) => {
            const id = new random.RandomString(
                `${name}-${p.project}-access-key`,
                { length: 20, special: false, upper: true, lower: false },
                { parent: this },
            );
            const secret = new random.RandomPassword(`${name}-${p.project}-secret-key`, { length: 40, special: false }, { parent: this });
            projectKeys[p.project] = { id: pulumi.secret(id.result), secret: pulumi.secret(secret.result) };
            const variables = projectKeyVariables(index);
            projectKeyData[variables.accessKey] = projectKeys[p.project].id;
            projectKeyData[variables.secretKey] = projectKeys[p.project].secret;
        });
        this.projectKeys = projectKeys;

        const credentials = new k8s.core.v1.Secret(
            `${name}-credentials`,
            {
                metadata: { name: "minio-credentials", namespace: args.namespace, labels },
                type: "Opaque",
                stringData: {
                    MINIO_ROOT_USER: this.rootUser,
                    MINIO_ROOT_PASSWORD: this.rootPassword,
                    FLYTE_ACCESS_KEY: this.accessKeyId,
                    FLYTE_SECRET_KEY: this.secretAccessKey,
                    ...projectKeyData,
                },
            },
            k8sOpts,
        );
        const fromSecret = (key: string) => ({
            name: key,
            valueFrom: { secretKeyRef: { name: credentials.metadata.name, key } },
        });

        this.volume = dataVolume(
            `${name}-data`,
            {
                namespace: args.namespace,
                claimName: "minio-data",
                sizeGi: args.volumeGi,
                storageClass: args.storageClass,
                labels,
                protect: args.protect,
            },
            k8sOpts,
        );

        this.deployment = new k8s.apps.v1.Deployment(
            `${name}-server`,
            {
                metadata: { name: "minio", namespace: args.namespace, labels },
                spec: {
                    replicas: 1,
                    strategy: { type: "Recreate" },
                    selector: { matchLabels: appLabels },
                    template: {
                        metadata: { labels },
                        spec: {
                            // MinIO serves S3 and its console; it never talks to the Kubernetes API.
                            automountServiceAccountToken: false,
                            securityContext: restrictedPodSecurityContext({ ...MINIO_USER, fsGroup: true }),
                            containers: [
                                {
                                    name: "minio",
                                    image: args.image,
                                    args: [
                                        "server",
                                        "/data",
                                        "--console-address",
                                        `:${MINIO_CONSOLE_PORT}`,
                                        // By default under $HOME, which the read-only root filesystem does not let
                                        // it create (minio cmd/common-main.go: fatal "Unable to create certs CA directory").
                                        "--certs-dir",
                                        MINIO_CERTS_DIR,
                                    ],
                                    env: [fromSecret("MINIO_ROOT_USER"), fromSecret("MINIO_ROOT_PASSWORD")],
                                    ports: [
                                        { name: "api", containerPort: MINIO_API_PORT },
                                        { name: "console", containerPort: MINIO_CONSOLE_PORT },
                                    ],
                                    readinessProbe: {
                                        httpGet: { path: "/minio/health/ready", port: "api" },
                                        periodSeconds: 5,
                                    },
                                    livenessProbe: {
                                        httpGet: { path: "/minio/health/live", port: "api" },
                                        initialDelaySeconds: 20,
                                        periodSeconds: 10,
                                    },
                                    resources: {
                                        requests: { cpu: "100m", memory: "256Mi" },
                                        limits: { memory: "1Gi" },
                                    },
                                    securityContext: restrictedContainerSecurityContext(),
                                    // It writes its objects under /data and its certificate directory under /tmp.
                                    volumeMounts: [
                                        { name: "data", mountPath: "/data" },
                                        { name: "tmp", mountPath: "/tmp" },
                                    ],
                                },
                            ],
                            volumes: [
                                { name: "data", persistentVolumeClaim: { claimName: this.volume.metadata.name } },
                                // Room for what its embedded console may buffer there.
                                scratchVolume("tmp", "1Gi"),
                            ],
                        },
                    },
                },
            },
            k8sOpts,
        );

        // One Service for pods (its cluster IP) and for the workstation (fixed NodePorts): pyflyte uploads code
        // to the S3 API through URLs Flyte signs for the NodePort, and people use the console.
        this.service = new k8s.core.v1.Service(
            `${name}-service`,
            {
                metadata: { name: MINIO_SERVICE, namespace: args.namespace, labels },
                spec: {
                    type: "NodePort",
                    selector: appLabels,
                    ports: [
                        { name: "api", port: MINIO_API_PORT, targetPort: "api", nodePort: args.nodePorts.api },
                        {
                            name: "console",
                            port: MINIO_CONSOLE_PORT,
                            targetPort: "console",
                            nodePort: args.nodePorts.console,
                        },
                    ],
                },
            },
            k8sOpts,
        );
        this.endpoint = this.service.metadata.namespace.apply(minioEndpoint);

        // Bounded: the script gives up on MinIO after MINIO_WAIT_ATTEMPTS, the Job after its deadline, and Pulumi
        // waits a little longer than that, so `pulumi up` fails with the Job's reason and the script's last lines.
        this.bucketsReady = new k8s.batch.v1.Job(
            `${name}-buckets`,
            {
                metadata: { namespace: args.namespace, labels, annotations: { ...JOB_ANNOTATIONS } },
                spec: {
                    ...jobBounds(),
                    template: {
                        metadata: { labels: { ...args.labels, "app.kubernetes.io/name": "minio-setup" } },
                        spec: {
                            // A failed pod stays (with its log) and the next attempt is a new pod.
                            restartPolicy: "Never",
                            automountServiceAccountToken: false,
                            securityContext: restrictedPodSecurityContext(MINIO_USER),
                            containers: [
                                {
                                    name: "mc",
                                    image: args.clientImage,
                                    command: ["/bin/sh", "-c"],
                                    args: [
                                        this.endpoint.apply((endpoint) =>
                                            bucketSetupScript({
                                                endpoint,
                                                metadataBucket: args.metadataBucket,
                                                userDataBucket: args.userDataBucket,
                                                projects: args.projects,
                                            }),
                                        ),
                                    ],
                                    env: [
                                        fromSecret("MINIO_ROOT_USER"),
                                        fromSecret("MINIO_ROOT_PASSWORD"),
                                        fromSecret("FLYTE_ACCESS_KEY"),
                                        fromSecret("FLYTE_SECRET_KEY"),
                                        ...Object.keys(projectKeyData).map(fromSecret),
                                        // mc keeps its aliases under $HOME.
                                        { name: "HOME", value: "/tmp" },
                                    ],
                                    resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
                                    securityContext: restrictedContainerSecurityContext(),
                                    terminationMessagePolicy: JOB_TERMINATION_MESSAGE_POLICY,
                                    // mc's config ($HOME) and the policy files the script writes.
                                    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                                },
                            ],
                            volumes: [scratchVolume("tmp")],
                        },
                    },
                },
            },
            // It talks to the server: start once the server is ready.
            { ...k8sOpts, dependsOn: [this.deployment], customTimeouts: jobCustomTimeouts() },
        );

        this.registerOutputs({ endpoint: this.endpoint });
    }
}
