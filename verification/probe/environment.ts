/**
 * Where the probe reaches what it checks. In a pod these are the real addresses (`podEnvironment`); tests pass
 * loopback fakes instead, so that the same client code runs against them.
 */
export interface ProbeEnvironment {
    /** A Service port as the pod dials it: `<name>.<namespace>.svc.cluster.local:<port>` in a cluster. */
    readonly serviceAddress: (service: { readonly namespace: string; readonly name: string }, port: number) => { readonly host: string; readonly port: number };
    /** The Kubernetes API, with the pod's own service account token. */
    readonly kubernetesApi: {
        /** e.g. `https://10.0.0.1:443`; `http://` only in tests. */
        readonly url: string;
        /** The service account token file. */
        readonly tokenFile: string;
        /** The cluster's CA bundle, for an `https://` URL. */
        readonly caFile?: string;
    };
    /** GKE's metadata server, e.g. `http://metadata.google.internal`. */
    readonly gcpMetadataUrl: string;
    /** Google Cloud Storage's JSON API, e.g. `https://storage.googleapis.com`. */
    readonly gcsUrl: string;
    /** STS's regional endpoint, e.g. `https://sts.eu-central-1.amazonaws.com`. */
    readonly stsUrl: (region: string) => string;
    /** The base URL of an S3 bucket (virtual-hosted style), e.g. `https://<bucket>.s3.eu-central-1.amazonaws.com`. */
    readonly s3BucketUrl: (bucket: string, region: string) => string;
    /** The process environment the pod got (IRSA's `AWS_ROLE_ARN` and `AWS_WEB_IDENTITY_TOKEN_FILE`, static keys). */
    readonly variables: Readonly<Record<string, string | undefined>>;
    /** Where the one-line failure goes for Kubernetes to report (`/dev/termination-log`). */
    readonly terminationMessageFile: string;
}

/** The environment of a pod in the cluster. */
export function podEnvironment(variables: Readonly<Record<string, string | undefined>>): ProbeEnvironment {
    const apiHost = variables.KUBERNETES_SERVICE_HOST ?? "kubernetes.default.svc";
    const apiPort = variables.KUBERNETES_SERVICE_PORT ?? "443";
    // An IPv6 address is bracketed in a URL.
    const host = apiHost.includes(":") ? `[${apiHost}]` : apiHost;
    const serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";
    return {
        serviceAddress: (service, port) => ({ host: `${service.name}.${service.namespace}.svc.cluster.local`, port }),
        kubernetesApi: { url: `https://${host}:${apiPort}`, tokenFile: `${serviceAccountDir}/token`, caFile: `${serviceAccountDir}/ca.crt` },
        // GCE_METADATA_HOST is the override Google's client libraries honour.
        gcpMetadataUrl: `http://${variables.GCE_METADATA_HOST ?? "metadata.google.internal"}`,
        gcsUrl: "https://storage.googleapis.com",
        stsUrl: (region) => `https://sts.${region}.amazonaws.com`,
        s3BucketUrl: (bucket, region) => `https://${bucket}.s3.${region}.amazonaws.com`,
        variables,
        // VERIFY_TERMINATION_MESSAGE_FILE: only for tests that run the probe as a process (test/verification/probe/run.test.ts).
        terminationMessageFile: variables.VERIFY_TERMINATION_MESSAGE_FILE ?? "/dev/termination-log",
    };
}
