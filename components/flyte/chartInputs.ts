import * as pulumi from "@pulumi/pulumi";
import type { WorkerAnnotation } from "./clusterResources";
import { ChartStorage, DatabaseInput, S3AccessKeyInput, secretsChecksum } from "./commonValues";
import type { ChartMessaging, ChartNotifications } from "./messaging";
import type {
    AwsS3Storage,
    FlyteDatabase,
    FlyteMessaging,
    FlyteNotifications,
    FlyteWorkloadIdentity,
    GcsStorage,
    S3AccessKey,
    S3CompatibleStorage,
} from "../contract/platform";
import { WORKER_IDENTITY } from "../contract/identities";

/**
 * The platform's outputs resolved into what both charts' values builders take (commonValues.ts): the database,
 * the object store without its keys, the identities, and the digest of the secrets. Creates no resources; reading
 * a Secret's name from the Secret makes whatever uses the result wait for that Secret.
 */

/**
 * pulumi.all's object form with each key's own type: its declaration (`Record<string, Input<T>>`) gives every key
 * one type. The same call at run time; the result resolves each key of `values`.
 */
export function allOf<T extends object>(values: T): pulumi.Output<pulumi.Unwrap<T>> {
    return pulumi.all(values as Record<string, unknown>) as unknown as pulumi.Output<pulumi.Unwrap<T>>;
}

/** The database as the values builders take it, with the password Secret's name read from the Secret. */
export function databaseInput(database: FlyteDatabase, passwordSecretName: pulumi.Output<string>): pulumi.Output<DatabaseInput> {
    const { port, options } = database;
    return allOf({ host: database.host, name: database.name, username: database.username, passwordSecret: passwordSecretName }).apply(
        ({ host, name, username, passwordSecret }) => ({ host, port, name, username, options, passwordSecret }),
    );
}

/** An access key pair, resolved (still a Pulumi secret). */
export function resolvedAccessKey(key: S3AccessKey): pulumi.Output<S3AccessKeyInput> {
    return allOf({ accessKeyId: key.id, secretAccessKey: key.secret });
}

/** A store reached through the pods' cloud identities (GCS, AWS S3) as the values builders take it. */
export function chartStorage(storage: GcsStorage | AwsS3Storage): pulumi.Output<ChartStorage> {
    const buckets = allOf({ metadataBucket: storage.metadataBucket, userDataBucket: storage.userDataBucket });
    return storage.provider === "gcs"
        ? buckets.apply((b): ChartStorage => ({ provider: "gcs", project: storage.project, ...b }))
        : buckets.apply((b): ChartStorage => ({ provider: "s3", region: storage.region, ...b }));
}

/**
 * A store reached with static keys (MinIO) as the values builders take it, without the keys: they are in the
 * Secret `credentialsSecretName` names (read from the Secret, so that the release waits for it).
 */
export function keyedChartStorage(storage: S3CompatibleStorage, credentialsSecretName: pulumi.Output<string>): pulumi.Output<ChartStorage> {
    const { region, endpoint, disableSSL, signedUrlEndpoint } = storage;
    const resolved = allOf({
        metadataBucket: storage.metadataBucket,
        userDataBucket: storage.userDataBucket,
        credentialsSecret: credentialsSecretName,
    });
    return resolved.apply(
        ({ metadataBucket, userDataBucket, credentialsSecret }): ChartStorage => ({
            provider: "s3-compatible",
            region,
            metadataBucket,
            userDataBucket,
            endpoint,
            disableSSL,
            ...(signedUrlEndpoint === undefined ? {} : { signedUrlEndpoint }),
            credentialsSecret,
        }),
    );
}

/**
 * The platform's cloud identities as both charts' values builders need them, resolved: what Flyte's own service
 * accounts and the task pods' are annotated with.
 */
export interface ChartIdentity {
    /** The service-account annotation the cluster reads, e.g. `iam.gke.io/gcp-service-account`. */
    readonly annotationKey: string;
    /** The annotation value of each backend identity asked for, by identity key (`backend`, or each flyte-core component). */
    readonly backend: Readonly<Record<string, string>>;
    /** How task pods' service accounts are annotated. */
    readonly worker: WorkerAnnotation;
}

/**
 * The identities `backendKeys` of the platform and how workers are annotated, or undefined where the platform has
 * no cloud identities (local). A key the platform made no identity for fails the plan, naming it.
 */
export function chartIdentity(
    identity: FlyteWorkloadIdentity | undefined,
    backendKeys: readonly string[],
): pulumi.Output<ChartIdentity | undefined> {
    if (!identity) {
        return pulumi.output(undefined);
    }
    const lookup = (key: string) => {
        const value = identity.identities[key];
        if (!value) {
            throw new Error(`the platform made no identity ${key}`);
        }
        return value;
    };
    const backend = pulumi.all(Object.fromEntries(backendKeys.map((key) => [key, lookup(key)])));
    const worker: pulumi.Output<WorkerAnnotation> = identity.projectWorkerPattern
        ? identity.projectWorkerPattern.apply(
              (p): WorkerAnnotation => ({ kind: "perProject", annotationKey: identity.annotationKey, prefix: p.prefix, suffix: p.suffix }),
          )
        : lookup(WORKER_IDENTITY).apply(
              (value): WorkerAnnotation => ({ kind: "shared", annotationKey: identity.annotationKey, identity: value }),
          );
    return allOf({ backend, worker }).apply(
        ({ backend: b, worker: w }): ChartIdentity => ({ annotationKey: identity.annotationKey, backend: b, worker: w }),
    );
}

/**
 * The platform's messaging as the values builders take it, resolved; undefined when there is none. The credentials
 * stay out: `credentialsSecret` names the Secret holding them (read from the Secret, so that the release waits for
 * it), `consoleUrl` is what the emails link to.
 */
export function chartMessaging(
    messaging: FlyteMessaging | undefined,
    extras: {
        /** The name of the Secret with the email credentials, where the email service needs any. */
        readonly credentialsSecret?: pulumi.Output<string>;
        /** The Flyte console's URL, where the platform serves it on a fixed name. */
        readonly consoleUrl?: string;
    },
): pulumi.Output<ChartMessaging | undefined> {
    if (messaging === undefined || (messaging.notifications === undefined && messaging.events === undefined)) {
        return pulumi.output(undefined);
    }
    const { events } = messaging;
    const resolvedEvents: pulumi.Output<ChartMessaging["events"]> =
        events === undefined
            ? pulumi.output(undefined)
            : events.type === "aws"
              ? events.topicArn.apply((topicArn) => ({ type: "aws" as const, region: events.region, topicArn }))
              : events.topic.apply((topic) => ({ type: "gcp" as const, project: events.project, topic }));
    const notifications = messaging.notifications && chartNotifications(messaging.notifications, extras);
    return allOf({ notifications, events: resolvedEvents }).apply(
        (m): ChartMessaging => ({
            ...(m.notifications === undefined ? {} : { notifications: m.notifications }),
            ...(m.events === undefined ? {} : { events: m.events }),
        }),
    );
}

function chartNotifications(
    notifications: FlyteNotifications,
    extras: { readonly credentialsSecret?: pulumi.Output<string>; readonly consoleUrl?: string },
): pulumi.Output<ChartNotifications> {
    const { channel, email, sender } = notifications;
    const resolvedChannel: pulumi.Output<ChartNotifications["channel"]> =
        channel.type === "aws"
            ? allOf({ topicArn: channel.topicArn, queueName: channel.queueName, accountId: channel.accountId }).apply((c) => ({
                  type: "aws" as const,
                  region: channel.region,
                  ...c,
              }))
            : channel.type === "gcp"
              ? allOf({ topic: channel.topic, subscription: channel.subscription }).apply((c) => ({ type: "gcp" as const, project: channel.project, ...c }))
              : pulumi.output({ type: "sandbox" as const });
    // The credentials themselves never reach the values.
    const service: ChartNotifications["email"] =
        email.service === "smtp" ? { service: "smtp", server: email.server, port: email.port, username: email.username } : { service: email.service };
    return allOf({ channel: resolvedChannel, credentialsSecret: extras.credentialsSecret }).apply(
        (r): ChartNotifications => ({
            channel: r.channel,
            sender,
            email: service,
            ...(r.credentialsSecret === undefined ? {} : { credentialsSecret: r.credentialsSecret }),
            ...(extras.consoleUrl === undefined ? {} : { consoleUrl: extras.consoleUrl }),
        }),
    );
}

/** A digest of the secrets Flyte reads from outside its chart (a pod annotation: a change restarts Flyte). */
export function secretsDigest(secrets: pulumi.Input<string>[]): pulumi.Output<string> {
    // The digest of high-entropy secrets reveals nothing; unsecret it so the chart values stay visible in previews.
    return pulumi.unsecret(pulumi.all(secrets).apply((values) => secretsChecksum(values)));
}
