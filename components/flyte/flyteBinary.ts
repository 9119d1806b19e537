import type * as pulumi from "@pulumi/pulumi";
import { BACKEND_IDENTITY } from "../contract/identities";
import { CLIENT_SECRET_FILE, OIDC_CLIENT_SECRET_FILE } from "./authentication";
import {
    AUTH_CLIENT_SECRETS_ROLE,
    AUTH_CLIENT_SECRETS_SECRET,
    DB_PASSWORD_SECRET,
    EMAIL_CREDENTIALS_SECRET,
    FLYTE_BINARY_CHART,
    FLYTE_BINARY_HTTP_SERVICE,
    FLYTE_BINARY_RELEASE,
    flyteBinarySelectorLabels,
    flyteBinaryValues,
    SECRET_CONFIG_FILE,
    SECRET_CONFIG_SECRET,
    secretConfigFile,
} from "./binaryValues";
import { FLYTE_HTTP_PORT } from "./commonValues";
import { FlyteChartSpec, FlyteInstallation, FlyteInstallationArgs } from "./flyteInstallation";

/** What FlyteBinary is built from: the config, the platform it runs on, and labels. */
export type FlyteBinaryArgs = FlyteInstallationArgs;

/** How flyte-binary differs from flyte-core: one pod serves everything, under one backend identity. */
export const FLYTE_BINARY_SPEC: FlyteChartSpec<undefined> = {
    chart: FLYTE_BINARY_CHART,
    releaseName: FLYTE_BINARY_RELEASE,
    databasePasswordSecret: DB_PASSWORD_SECRET,
    emailCredentialsSecret: EMAIL_CREDENTIALS_SECRET,
    // Only the keys: the chart's own config files describe the store (configuration.storage).
    storageCredentials: {
        resourceSuffix: "secret-config",
        secretName: SECRET_CONFIG_SECRET,
        fileName: SECRET_CONFIG_FILE,
        file: (key) => secretConfigFile(key),
    },
    backendIdentities: [BACKEND_IDENTITY],
    values: ({ identity, ...inputs }) =>
        flyteBinaryValues({
            ...inputs,
            identity: identity && {
                annotationKey: identity.annotationKey,
                backend: identity.backend[BACKEND_IDENTITY],
                worker: identity.worker,
            },
        }),
    // The Flyte pod itself serves both ports.
    endpointSelector: flyteBinarySelectorLabels(),
    admin: { service: FLYTE_BINARY_HTTP_SERVICE, httpPort: FLYTE_HTTP_PORT },
    aroundRelease: () => undefined,
    // One Secret: the chart projects it at /etc/secrets, where flyteadmin reads the provider's client secret and
    // the components in the pod their own (admin.clientSecretLocation's default).
    authentication: {
        secrets: [
            {
                role: AUTH_CLIENT_SECRETS_ROLE,
                resourceSuffix: "client-secrets",
                secretName: AUTH_CLIENT_SECRETS_SECRET,
                files: { [CLIENT_SECRET_FILE]: "internalClientSecret", [OIDC_CLIENT_SECRET_FILE]: "oidcClientSecret" },
            },
        ],
        internalClientSecret: { role: AUTH_CLIENT_SECRETS_ROLE, key: CLIENT_SECRET_FILE },
    },
};

/**
 * Flyte's single-binary deployment, cloud-agnostic: its namespace, the secrets it reads (database password,
 * storage keys where the platform uses them; with sign-in, the client secrets), the flyte-binary Helm release,
 * and the Service that exposes HTTP and gRPC the way the platform asks.
 */
export class FlyteBinary extends FlyteInstallation<undefined> {
    constructor(name: string, args: FlyteBinaryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:flyte:FlyteBinary", name, args, FLYTE_BINARY_SPEC, opts);
    }
}
