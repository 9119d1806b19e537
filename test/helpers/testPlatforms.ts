import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { FlytePlatform, KeyedProjectBucket, OidcSignIn, S3AccessKey, TaskLogLink } from "../../components/contract/platform";

/**
 * Hand-built FlytePlatforms for the Flyte components' tests, standing in for what GcpPlatform and LocalPlatform
 * hand over: the same fixed database, buckets and endpoints everywhere, with what a test varies as arguments.
 */

export const TEST_MINIO_ENDPOINT = "http://minio.flyte-deps.svc.cluster.local:9000";
export const TEST_SIGNED_URL_ENDPOINT = "http://localhost:30002";
export const TEST_LOAD_BALANCER_IP = "10.0.0.42";

/**
 * The storage a default local stack hands Flyte: MinIO in flyte-deps over plain http, signed URLs through MinIO's
 * NodePort on the workstation. (Its access keys come apart.)
 */
export const LOCAL_MINIO_STORAGE = {
    provider: "s3-compatible",
    region: "us-east-1",
    metadataBucket: "flyte-metadata",
    userDataBucket: "flyte-userdata",
    endpoint: TEST_MINIO_ENDPOINT,
    disableSSL: true,
    signedUrlEndpoint: TEST_SIGNED_URL_ENDPOINT,
} as const;

/** GCS, Cloud SQL-like Postgres with TLS, Workload Identity annotations and an internal load balancer. */
export function gcpLikePlatform(args: {
    readonly provider: k8s.Provider;
    readonly dbPassword: string;
    /** Identity (Google service account email) by identity key. */
    readonly identities: Readonly<Record<string, string>>;
    readonly taskLogs: readonly TaskLogLink[];
    readonly releaseDependencies: readonly pulumi.Resource[];
}): FlytePlatform {
    return {
        kubernetesProvider: args.provider,
        kubeconfig: pulumi.secret("{}"),
        clusterName: pulumi.output("c1"),
        database: {
            host: pulumi.output("10.9.8.7"),
            port: 5432,
            name: pulumi.output("flytedb"),
            username: pulumi.output("flyteuser"),
            password: pulumi.secret(args.dbPassword),
            options: "sslmode=require",
        },
        storage: {
            provider: "gcs",
            project: "acme-test",
            metadataBucket: pulumi.output("meta-bucket"),
            userDataBucket: pulumi.output("data-bucket"),
            projects: {},
        },
        identity: {
            annotationKey: "iam.gke.io/gcp-service-account",
            identities: Object.fromEntries(Object.entries(args.identities).map(([key, value]) => [key, pulumi.output(value)])),
        },
        taskLogs: args.taskLogs,
        exposure: {
            kind: "loadBalancer",
            annotations: { "networking.gke.io/load-balancer-type": "Internal" },
            loadBalancerIP: pulumi.output(TEST_LOAD_BALANCER_IP),
            host: pulumi.output(TEST_LOAD_BALANCER_IP),
        },
        releaseDependencies: args.releaseDependencies,
    };
}

export interface TestKey {
    readonly id: string;
    readonly secret: string;
}

function asSecrets(key: TestKey): S3AccessKey {
    return { id: pulumi.secret(key.id), secret: pulumi.secret(key.secret) };
}

/** An isolated project's bucket and key, as a test gives them. */
export interface TestProjectStore {
    readonly bucket: string;
    readonly key: TestKey;
}

/** In-cluster Postgres without TLS, MinIO with access keys (and per-project buckets and keys), NodePorts. */
export function minioLikePlatform(args: {
    readonly provider: k8s.Provider;
    readonly dbPassword: string;
    readonly accessKey: TestKey;
    /** With project isolation: each project's bucket and key; none by default. */
    readonly projects?: Readonly<Record<string, TestProjectStore>>;
    readonly releaseDependencies: readonly pulumi.Resource[];
}): FlytePlatform {
    const projects = Object.entries(args.projects ?? {}).map(
        ([project, store]): [string, KeyedProjectBucket] => [project, { bucket: pulumi.output(store.bucket), accessKey: asSecrets(store.key) }],
    );
    return {
        kubernetesProvider: args.provider,
        kubeconfig: pulumi.secret("{}"),
        clusterName: pulumi.output("kind-flyte"),
        database: {
            host: pulumi.output("postgres.flyte-deps.svc.cluster.local"),
            port: 5432,
            name: pulumi.output("flyte"),
            username: pulumi.output("flyte"),
            password: pulumi.secret(args.dbPassword),
            options: "sslmode=disable",
        },
        storage: {
            ...LOCAL_MINIO_STORAGE,
            metadataBucket: pulumi.output(LOCAL_MINIO_STORAGE.metadataBucket),
            userDataBucket: pulumi.output(LOCAL_MINIO_STORAGE.userDataBucket),
            accessKey: asSecrets(args.accessKey),
            projects: Object.fromEntries(projects),
        },
        taskLogs: [],
        exposure: { kind: "nodePort", host: "localhost", httpNodePort: 31080, grpcNodePort: 31081 },
        releaseDependencies: args.releaseDependencies,
    };
}

/** What a local platform's release waits for, as stand-ins: Postgres's Deployment (postgres-ready) and the bucket Job (buckets-ready). */
export function localReadiness(provider: k8s.Provider): pulumi.Resource[] {
    // Loaded here, not at the top: the value tests that read LOCAL_MINIO_STORAGE do without the Kubernetes SDK.
    const kubernetes = require("@pulumi/kubernetes") as typeof k8s;
    return [
        new kubernetes.apps.v1.Deployment("postgres-ready", { spec: { selector: {}, template: {} } }, { provider }),
        new kubernetes.batch.v1.Job("buckets-ready", { spec: { template: {} } }, { provider }),
    ];
}

/** The DNS name the HTTPS test platforms serve Flyte on. */
export const TEST_HOSTNAME = "flyte.ml.example.com";

/** An OpenID Connect provider as a test gives it (the secret in plain text, to look for it where it must not be). */
export interface TestSignIn {
    readonly issuerUrl: string;
    readonly clientId: string;
    readonly clientSecret: string;
    readonly scopes: readonly string[];
}

export const TEST_SIGN_IN: TestSignIn = {
    issuerUrl: "https://idp.example.com/oauth2/default",
    clientId: "0oa1flyteclient",
    clientSecret: "not-a-real-oidc-client-secret-271828",
    scopes: ["openid", "profile", "email"],
};

/** A test's provider as the platform hands it over: outputs, the client secret a Pulumi secret. */
export function oidcSignIn(signIn: TestSignIn = TEST_SIGN_IN): OidcSignIn {
    return {
        issuerUrl: pulumi.output(signIn.issuerUrl),
        clientId: pulumi.output(signIn.clientId),
        clientSecret: pulumi.secret(signIn.clientSecret),
        scopes: signIn.scopes,
    };
}

/**
 * `platform` served over HTTPS on `hostname` (a ClusterIP Service behind the cloud's L7 load balancer, which needs
 * nothing more here) with people signing in through `signIn`: what GcpPlatform hands over with flyte:dnsName and
 * an OIDC provider.
 */
export function withHttpsSignIn(platform: FlytePlatform, args: { readonly hostname?: string; readonly signIn?: TestSignIn | null } = {}): FlytePlatform {
    const signIn = args.signIn === undefined ? TEST_SIGN_IN : args.signIn;
    return {
        ...platform,
        exposure: {
            kind: "https",
            hostname: args.hostname ?? TEST_HOSTNAME,
            service: { type: "ClusterIP" },
            grpcAppProtocol: "kubernetes.io/h2c",
            serviceAnnotations: {},
            attach: () => [],
            dnsRecordsToCreate: pulumi.output([]),
        },
        ...(signIn === null ? {} : { signIn: oidcSignIn(signIn) }),
    };
}
