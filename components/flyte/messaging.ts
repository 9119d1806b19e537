import * as path from "path";
import { escapeForHelmTpl } from "./commonValues";

/**
 * flyteadmin's messaging for either chart, once the platform hands over `FlytePlatform.messaging`: the
 * `notifications` section (email on a launch plan's `notifications=[Email(...)]`, through the cloud's queue) and
 * the `externalEvents` section (execution events published to a topic other teams subscribe to), with exactly the
 * keys Flyte v1.16.8 reads (flyteadmin/pkg/runtime/interfaces/application_configuration.go: NotificationsConfig
 * :662-677, ExternalEventsConfig :616-629; the sections are registered as `notifications` and `externalEvents`,
 * flyteadmin/pkg/runtime/application_config_provider.go:14-16). Pure.
 *
 * How flyteadmin uses them (flyteadmin/pkg/async/notifications/factory.go at v1.16.8):
 * - aws: it publishes to `publisher.topicName` with gizmo's SNS publisher, which sends it as the `TopicArn`
 *   (NYTimes/gizmo v1.3.6 pubsub/aws/aws.go:93-96): the topic's ARN. It consumes the SQS queue named
 *   `processor.queueName`, owned by `processor.accountId` (GetQueueUrl, aws.go:243-246), expecting SNS's JSON
 *   envelope around each message (implementations/aws_processor.go:46-67: no raw message delivery). Without an
 *   email service named, it sends through SES in `aws.region` (factory.go:88-119).
 * - gcp: topic and subscription by their short names in `gcp.projectId` (factory.go:200-230, 301-328).
 * - sandbox: an in-process channel from publisher to processor (factory.go:232-236, 330-334).
 * - An email service by name (`emailer.emailServerConfig.serviceName`, factory.go:68-84): SendGrid reads its API
 *   key from `apiKeyFilePath` (sendgrid_emailer.go:61-71); SMTP logs in as `smtpUsername` with the secret the
 *   secret manager finds under `smtpPasswordSecretName` (smtp_emailer.go:131-141).
 * A publisher or subscriber flyteadmin cannot create makes it panic at start (factory.go:190-194, 293-297), so the
 * release fails rather than run without them.
 *
 * The credentials (SendGrid's key, the SMTP password) are only ever in a Kubernetes Secret the Flyte layer creates
 * (flyteInstallation.ts), mounted into flyteadmin alone at EMAIL_CREDENTIALS_DIR.
 */

/** Where flyteadmin's container mounts the Secret with the email credentials. */
export const EMAIL_CREDENTIALS_DIR = "/etc/flyte/email-credentials";
/** The pod volume of that Secret. */
export const EMAIL_CREDENTIALS_VOLUME = "email-credentials";
/** The key (file) of SendGrid's API key in the Secret. */
export const SENDGRID_API_KEY_FILE = "sendgrid_api_key";
/** The key (file) of the SMTP password in the Secret. */
export const SMTP_PASSWORD_FILE = "smtp_password";
/**
 * Where flyteadmin's secret manager looks for a named secret when no environment variable `FLYTE_SECRET_<name>`
 * holds it: `filepath.Join(secrets-prefix, name)`, the prefix `/etc/secrets` unless configured
 * (flytepropeller/pkg/controller/nodes/task/secretmanager/config.go:10-13, secrets.go:24-32 at v1.16.8).
 */
export const SECRET_MANAGER_PREFIX = "/etc/secrets";
/** What flyteadmin publishes to the events topic: workflow, node and task execution events (event_publisher.go:35-47). */
export const EVENT_TYPES: readonly string[] = ["all"];

/** Where flyteadmin publishes notifications and consumes them, resolved. */
export type ChartNotificationChannel =
    | {
          /** An SNS topic with an SQS queue subscribed. */
          readonly type: "aws";
          /** The region of the topic, the queue and SES. */
          readonly region: string;
          /** The topic's ARN. */
          readonly topicArn: string;
          /** The queue's name. */
          readonly queueName: string;
          /** The account that owns the queue. */
          readonly accountId: string;
      }
    | {
          /** A Pub/Sub topic and subscription. */
          readonly type: "gcp";
          /** Their project. */
          readonly project: string;
          /** The topic's short name. */
          readonly topic: string;
          /** The subscription's short name. */
          readonly subscription: string;
      }
    | {
          /** In flyteadmin's process. */
          readonly type: "sandbox";
      };

/** How the emails leave, without the credentials (they are in the Secret `ChartNotifications.credentialsSecret` names). */
export type ChartEmailService =
    | {
          /** Amazon SES, in the aws channel's region. */
          readonly service: "ses";
      }
    | {
          /** SendGrid's API, with the key from SENDGRID_API_KEY_FILE. */
          readonly service: "sendgrid";
      }
    | {
          /** An SMTP server (STARTTLS when it offers it). */
          readonly service: "smtp";
          /** Its host name. */
          readonly server: string;
          /** Its port. */
          readonly port: number;
          /** The user flyteadmin logs in as, with the password from SMTP_PASSWORD_FILE; empty: no login. */
          readonly username: string;
      };

/** Email notifications as the values builders take them, resolved. */
export interface ChartNotifications {
    /** The queue flyteadmin publishes to and consumes. */
    readonly channel: ChartNotificationChannel;
    /** The From address. */
    readonly sender: string;
    /** How the emails leave. */
    readonly email: ChartEmailService;
    /**
     * The Secret with the email credentials (EmailCredential's file), read from the Secret so that the release waits
     * for it; absent when the email service needs none (SES, SMTP without login).
     */
    readonly credentialsSecret?: string;
    /** The Flyte console's URL, for a link in each email; absent: no link. */
    readonly consoleUrl?: string;
}

/** The topic execution events go to, resolved. */
export type ChartEventsTopic =
    | {
          /** An SNS topic. */
          readonly type: "aws";
          /** Its region. */
          readonly region: string;
          /** Its ARN. */
          readonly topicArn: string;
      }
    | {
          /** A Pub/Sub topic. */
          readonly type: "gcp";
          /** Its project. */
          readonly project: string;
          /** Its short name. */
          readonly topic: string;
      };

/** flyteadmin's messaging as the values builders take it; absent parts are off. */
export interface ChartMessaging {
    /** Email notifications. */
    readonly notifications?: ChartNotifications;
    /** Execution events. */
    readonly events?: ChartEventsTopic;
}

// ---- flyteadmin's sections, as its structs name the keys ----

/** `emailer.emailServerConfig` (EmailServerConfig, application_configuration.go:582-592). */
export type AdminEmailServerConfig =
    | { readonly serviceName: "sendgrid"; readonly apiKeyFilePath: string }
    | {
          readonly serviceName: "smtp";
          readonly smtpServer: string;
          /** A string in flyteadmin's struct. */
          readonly smtpPort: string;
          readonly smtpUsername?: string;
          readonly smtpPasswordSecretName?: string;
      };

/** flyteadmin's `notifications` section (NotificationsConfig). */
export interface AdminNotificationsConfig {
    readonly type: ChartNotificationChannel["type"];
    readonly aws?: { readonly region: string };
    readonly gcp?: { readonly projectId: string };
    readonly publisher?: { readonly topicName: string };
    readonly processor?: { readonly queueName: string; readonly accountId?: string };
    readonly emailer: {
        readonly sender: string;
        readonly subject: string;
        readonly body: string;
        readonly emailServerConfig?: AdminEmailServerConfig;
    };
}

/** flyteadmin's `externalEvents` section (ExternalEventsConfig). */
export interface AdminExternalEventsConfig {
    readonly enable: true;
    readonly type: ChartEventsTopic["type"];
    readonly aws?: { readonly region: string };
    readonly gcp?: { readonly projectId: string };
    readonly eventsPublisher: { readonly topicName: string; readonly eventTypes: readonly string[] };
}

/**
 * The name under which flyteadmin's secret manager finds `file`: a path relative to SECRET_MANAGER_PREFIX, which
 * `filepath.Join` cleans (secrets.go:32). Both charts mount a volume of their own at /etc/secrets (flyte-core's
 * `flyte-admin-secrets` always, flyte-binary's `auth` projection with sign-in), where a second mount is not
 * allowed, and an environment variable is the other place it looks, whose value it logs at debug level
 * (secrets.go:28): so the file is mounted beside the config and named from the prefix.
 */
export function secretManagerName(file: string): string {
    return path.posix.relative(SECRET_MANAGER_PREFIX, file);
}

/** Which file of the credentials Secret an email service needs; undefined: none (SES, SMTP without login). */
export function emailCredentialFile(email: ChartEmailService): string | undefined {
    switch (email.service) {
        case "ses":
            return undefined;
        case "sendgrid":
            return SENDGRID_API_KEY_FILE;
        case "smtp":
            // flyteadmin logs in (PLAIN) with a user; config validation keeps user and password together.
            return email.username === "" ? undefined : SMTP_PASSWORD_FILE;
    }
}

/**
 * The subject of each email. flyteadmin replaces `{{ project }}`, `{{ domain }}`, `{{ name }}`, `{{ phase }}`,
 * `{{ error }}`, `{{ launch_plan.name }}` and the like with the execution's (async/notifications/email.go:15-109).
 */
export const EMAIL_SUBJECT = "Flyte: execution {{ name }} in {{ project }}/{{ domain }} has {{ phase }}";

/** The body of each email (HTML); a launch plan's own template replaces it (email.go:120-124). */
export function emailBody(consoleUrl: string | undefined): string {
    const text =
        "Execution {{ name }} of launch plan {{ launch_plan.name }} in project {{ project }}, domain {{ domain }}, has {{ phase }}.{{ error }}";
    if (consoleUrl === undefined) {
        return text;
    }
    const link = `${consoleUrl}/projects/{{ project }}/domains/{{ domain }}/executions/{{ name }}`;
    return `${text} <a href="${link}">View it in the Flyte console</a>.`;
}

function emailServerConfig(notifications: ChartNotifications): AdminEmailServerConfig | undefined {
    const { email } = notifications;
    const file = emailCredentialFile(email);
    if (file !== undefined && notifications.credentialsSecret === undefined) {
        throw new Error(`${email.service} needs the Secret with ${file}, which the Flyte layer creates: none was given`);
    }
    const mounted = file === undefined ? undefined : `${EMAIL_CREDENTIALS_DIR}/${file}`;
    switch (email.service) {
        case "ses":
            // SES is flyteadmin's emailer for the aws type when no service is named; with gcp or sandbox it would
            // silently send nothing (factory.go:88-131).
            if (notifications.channel.type !== "aws") {
                throw new Error(`email through SES needs the aws notification channel, not ${notifications.channel.type}`);
            }
            return undefined;
        case "sendgrid":
            return { serviceName: "sendgrid", apiKeyFilePath: mounted as string };
        case "smtp":
            return {
                serviceName: "smtp",
                smtpServer: email.server,
                smtpPort: String(email.port),
                ...(mounted === undefined ? {} : { smtpUsername: email.username, smtpPasswordSecretName: secretManagerName(mounted) }),
            };
    }
}

/** flyteadmin's `notifications` section, as it reads it (see the top of this file). */
export function notificationsConfig(notifications: ChartNotifications): AdminNotificationsConfig {
    const { channel } = notifications;
    const server = emailServerConfig(notifications);
    const emailer = {
        sender: notifications.sender,
        subject: EMAIL_SUBJECT,
        body: emailBody(notifications.consoleUrl),
        ...(server === undefined ? {} : { emailServerConfig: server }),
    };
    switch (channel.type) {
        case "aws":
            return {
                type: "aws",
                aws: { region: channel.region },
                publisher: { topicName: channel.topicArn },
                processor: { queueName: channel.queueName, accountId: channel.accountId },
                emailer,
            };
        case "gcp":
            return {
                type: "gcp",
                gcp: { projectId: channel.project },
                publisher: { topicName: channel.topic },
                processor: { queueName: channel.subscription },
                emailer,
            };
        case "sandbox":
            return { type: "sandbox", emailer };
    }
}

/** flyteadmin's `externalEvents` section: every execution event to the topic (factory.go:352-424). */
export function externalEventsConfig(events: ChartEventsTopic): AdminExternalEventsConfig {
    switch (events.type) {
        case "aws":
            return { enable: true, type: "aws", aws: { region: events.region }, eventsPublisher: { topicName: events.topicArn, eventTypes: [...EVENT_TYPES] } };
        case "gcp":
            return { enable: true, type: "gcp", gcp: { projectId: events.project }, eventsPublisher: { topicName: events.topic, eventTypes: [...EVENT_TYPES] } };
    }
}

/** The volume and mount of the credentials Secret in flyteadmin's container, or none without credentials. */
export function emailCredentialsVolume(messaging: ChartMessaging | undefined): {
    readonly volumes: readonly { readonly name: string; readonly secret: { readonly secretName: string } }[];
    readonly mounts: readonly { readonly name: string; readonly mountPath: string; readonly readOnly: true }[];
} {
    const secretName = messaging?.notifications?.credentialsSecret;
    if (secretName === undefined) {
        return { volumes: [], mounts: [] };
    }
    return {
        volumes: [{ name: EMAIL_CREDENTIALS_VOLUME, secret: { secretName } }],
        mounts: [{ name: EMAIL_CREDENTIALS_VOLUME, mountPath: EMAIL_CREDENTIALS_DIR, readOnly: true }],
    };
}

/** Every string of a value escaped for a chart that renders it through Helm's `tpl` (escapeForHelmTpl). */
export function tplEscaped<T>(value: T): T {
    if (typeof value === "string") {
        return escapeForHelmTpl(value) as T;
    }
    if (Array.isArray(value)) {
        return value.map((item: unknown) => tplEscaped(item)) as T;
    }
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, tplEscaped(item)])) as T;
    }
    return value;
}
