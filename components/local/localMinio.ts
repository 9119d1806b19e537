import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { jobCustomTimeouts, scratchVolume, setupJobArgs } from "../shared/hardening";
import { s3ProjectPolicy, s3ReadWritePolicy } from "../contract/s3Access";
import { dataServer } from "./dataServer";

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
    /** The Flyte project id, e.g. `ml`. */
    readonly project: string;
    /** Its own bucket's name (localProjectBucket), at most 63 characters as MinIO requires. */
    readonly bucket: string;
    /**
     * The prefixes of the shared metadata bucket its task pods may use (projectMetadataPrefixes: its executions'
     * and its uploads', per domain); nothing else in that bucket.
     */
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
    /** The namespace of the server, its Service, Secret, volume and bucket Job (`<flyteNamespace>-deps`); pods reach MinIO in it. */
    readonly namespace: pulumi.Input<string>;
    /** The MinIO server image (config `localMinioImage`); it runs as MINIO_USER, not as the image's root. */
    readonly image: string;
    /** The MinIO client (mc) image the bucket Job runs (config `localMinioClientImage`); it needs `/bin/sh`. */
    readonly clientImage: string;
    /** Size of the data volume in GiB (config `localMinioVolumeGi`, default 20): every workflow's data is kept in it. */
    readonly volumeGi: number;
    /** Empty for the cluster's default StorageClass. */
    readonly storageClass: string;
    /** Name of the metadata bucket the Job creates (versioned), e.g. `flyte-metadata`. */
    readonly metadataBucket: string;
    /** Name of the user-data (raw outputs) bucket the Job creates, e.g. `flyte-userdata`. */
    readonly userDataBucket: string;
    /** With project isolation: each project's bucket and metadata prefixes; its task pods get a user of their own. */
    readonly projects: readonly MinioProjectData[];
    /** The NodePorts (30000-32767) that publish MinIO on the workstation. */
    readonly nodePorts: {
        /** The S3 API's: URLs Flyte signs for uploads and downloads from the workstation point here. */
        readonly api: number;
        /** The web console's (`minioConsoleUrl`), where people log in with the root credentials. */
        readonly console: number;
    };
    /** Pulumi `protect` on the data volume. */
    readonly protect: boolean;
    /** Kubernetes labels on every object, besides MinIO's own `app.kubernetes.io/name` and `component`. */
    readonly labels: Readonly<Record<string, string>>;
    /** The local cluster's provider; every object is created through it. */
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
    /** The admin account people log in to the console with; both Pulumi secrets. */
    readonly root: { readonly user: pulumi.Output<string>; readonly password: pulumi.Output<string> };
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
        this.root = { user: pulumi.secret("flyte-admin"), password: pulumi.secret(rootPassword.result) };
        this.accessKeyId = pulumi.secret(accessKey.result);
        this.secretAccessKey = pulumi.secret(secretKey.result);
        const projectKeys: Record<string, { id: pulumi.Output<string>; secret: pulumi.Output<string> }> = {};
        const projectKeyData: Record<string, pulumi.Output<string>> = {};
        args.projects.forEach((p, index) => {
            // `<name>-project-<p>-…`: a project may be called `flyte`, whose keys would otherwise take the names of
            // Flyte's own. Stacks made before keep their keys through the alias (no project had that name then).
            const keyOpts = (what: string): pulumi.CustomResourceOptions => ({
                parent: this,
                aliases: p.project === "flyte" ? [] : [{ name: `${name}-${p.project}-${what}` }],
            });
            const id = new random.RandomString(
                `${name}-project-${p.project}-access-key`,
                { length: 20, special: false, upper: true, lower: false },
                keyOpts("access-key"),
            );
            const secret = new random.RandomPassword(`${name}-project-${p.project}-secret-key`, { length: 40, special: false }, keyOpts("secret-key"));
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
                    MINIO_ROOT_USER: this.root.user,
                    MINIO_ROOT_PASSWORD: this.root.password,
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

        // One Service for pods (its cluster IP) and for the workstation (fixed NodePorts): pyflyte uploads code
        // to the S3 API through URLs Flyte signs for the NodePort, and people use the console.
        ({ volume: this.volume, deployment: this.deployment, service: this.service } = dataServer(
            name,
            {
                namespace: args.namespace,
                server: MINIO_SERVICE,
                appLabels,
                labels,
                user: MINIO_USER,
                volumeGi: args.volumeGi,
                storageClass: args.storageClass,
                protect: args.protect,
                // It writes its objects under /data and its certificate directory under /tmp, where its embedded
                // console may also buffer.
                dataPath: "/data",
                scratch: [{ name: "tmp", mountPath: "/tmp", sizeLimit: "1Gi" }],
                container: {
                    image: args.image,
                    args: [
                        "server",
                        "/data",
                        "--console-address",
                        `:${MINIO_CONSOLE_PORT}`,
                        // By default under $HOME, which the read-only root filesystem does not let it create (minio
                        // cmd/common-main.go: fatal "Unable to create certs CA directory").
                        "--certs-dir",
                        MINIO_CERTS_DIR,
                    ],
                    env: [fromSecret("MINIO_ROOT_USER"), fromSecret("MINIO_ROOT_PASSWORD")],
                    ports: [
                        { name: "api", containerPort: MINIO_API_PORT },
                        { name: "console", containerPort: MINIO_CONSOLE_PORT },
                    ],
                    readinessProbe: { httpGet: { path: "/minio/health/ready", port: "api" }, periodSeconds: 5 },
                    livenessProbe: {
                        httpGet: { path: "/minio/health/live", port: "api" },
                        initialDelaySeconds: 20,
                        periodSeconds: 10,
                    },
                },
                serviceType: "NodePort",
                servicePorts: [
                    { name: "api", port: MINIO_API_PORT, targetPort: "api", nodePort: args.nodePorts.api },
                    { name: "console", port: MINIO_CONSOLE_PORT, targetPort: "console", nodePort: args.nodePorts.console },
                ],
            },
            k8sOpts,
        ));
        this.endpoint = this.service.metadata.namespace.apply(minioEndpoint);

        // Bounded: the script gives up on MinIO after MINIO_WAIT_ATTEMPTS, the Job after its deadline, and Pulumi
        // waits a little longer than that, so `pulumi up` fails with the Job's reason and the script's last lines.
        this.bucketsReady = new k8s.batch.v1.Job(
            `${name}-buckets`,
            setupJobArgs({
                namespace: args.namespace,
                labels,
                podLabels: { ...args.labels, "app.kubernetes.io/name": "minio-setup" },
                user: MINIO_USER,
                container: {
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
                    // mc's config ($HOME) and the policy files the script writes.
                    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                },
                volumes: [scratchVolume("tmp")],
            }),
            // It talks to the server: start once the server is ready.
            { ...k8sOpts, dependsOn: [this.deployment], customTimeouts: jobCustomTimeouts() },
        );

        this.registerOutputs({ endpoint: this.endpoint });
    }
}
