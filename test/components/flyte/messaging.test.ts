import {
    ChartEventsTopic,
    ChartNotifications,
    EMAIL_CREDENTIALS_DIR,
    EMAIL_SUBJECT,
    emailBody,
    emailCredentialFile,
    emailCredentialsVolume,
    externalEventsConfig,
    notificationsConfig,
    secretManagerName,
    tplEscaped,
} from "../../../components/flyte/messaging";
import { fileConstants, flyteadminSections, secretManagerLookup, unreadKeys } from "../../helpers/flyteadminConfig";
import { renderEscapedTpl } from "../../helpers/flyteCoreFixtures";
import { stringsIn } from "../../helpers/json";

/**
 * flyteadmin's notifications and externalEvents sections (messaging.ts) for every kind of channel and email
 * service, checked against what Flyte v1.16.8 reads: the keys of its config structs and the values it recognises,
 * parsed from verbatim excerpts of its source (test/helpers/flyteadminConfig.ts).
 */

const SECTIONS = flyteadminSections();
const CLOUD_TYPES = fileConstants("flyteadmin/pkg/common/cloud.go");
const EMAIL_SERVICES = fileConstants("flyteadmin/pkg/async/notifications/implementations/emailers.go");
const EVENT_TYPES = fileConstants("flyteadmin/pkg/async/notifications/implementations/event_publisher.go");
/** The placeholders flyteadmin fills in an email's subject and body (flyteadmin/pkg/async/notifications/email.go:17-29, v1.16.8). */
const EMAIL_PLACEHOLDERS = [
    "project",
    "domain",
    "name",
    "phase",
    "error",
    "workflow.project",
    "workflow.domain",
    "workflow.name",
    "workflow.version",
    "launch_plan.project",
    "launch_plan.domain",
    "launch_plan.name",
    "launch_plan.version",
];

const SENDER = "flyte@ml.example.com";
const AWS_CHANNEL = {
    type: "aws",
    region: "eu-west-1",
    topicArn: "arn:aws:sns:eu-west-1:123456789012:flyte-prod-notifications",
    queueName: "flyte-prod-notifications",
    accountId: "123456789012",
} as const;
const GCP_CHANNEL = { type: "gcp", project: "acme-flyte-prod", topic: "flyte-prod-notifications", subscription: "flyte-prod-notifications-admin" } as const;
const SMTP = { service: "smtp", server: "smtp.example.com", port: 587, username: "flyte-mailer" } as const;

function notifications(overrides: Partial<ChartNotifications>): ChartNotifications {
    return { channel: AWS_CHANNEL, sender: SENDER, email: { service: "ses" }, ...overrides };
}

const VARIANTS: Readonly<Record<string, ChartNotifications>> = {
    "aws, SES": notifications({}),
    "aws, SendGrid": notifications({ email: { service: "sendgrid" }, credentialsSecret: "email-credentials" }),
    "gcp, SendGrid": notifications({ channel: GCP_CHANNEL, email: { service: "sendgrid" }, credentialsSecret: "email-credentials" }),
    "gcp, SMTP": notifications({ channel: GCP_CHANNEL, email: SMTP, credentialsSecret: "email-credentials", consoleUrl: "https://flyte.ml.example.com/console" }),
    "sandbox, SMTP": notifications({ channel: { type: "sandbox" }, email: SMTP, credentialsSecret: "email-credentials" }),
    "sandbox, SMTP without login": notifications({ channel: { type: "sandbox" }, email: { ...SMTP, port: 25, username: "" } }),
};

describe.each(Object.entries(VARIANTS))("notifications: %s", (_, input) => {
    const config = notificationsConfig(input);

    test("every key, at every depth, is one flyteadmin v1.16.8 reads, with a value of its type", () => {
        expect(unreadKeys(SECTIONS.notifications, config)).toEqual([]);
    });

    test("a channel type flyteadmin builds a publisher and a processor for, and an email service it knows", () => {
        // factory.go:145-236 and 260-334: aws, gcp and sandbox; anything else (local) is a no-op that drops them.
        expect([CLOUD_TYPES.AWS, CLOUD_TYPES.GCP, CLOUD_TYPES.Sandbox]).toContain(config.type);
        const serviceName = config.emailer.emailServerConfig?.serviceName;
        if (serviceName === undefined) {
            // No service named: SES, which flyteadmin uses only with the aws type (factory.go:88-119).
            expect(config.type).toBe("aws");
        } else {
            expect(Object.values(EMAIL_SERVICES)).toContain(serviceName);
        }
    });

    test("the sender, a subject and a body, with only the placeholders flyteadmin fills in", () => {
        expect(config.emailer.sender).toBe(SENDER);
        const placeholders = [...`${config.emailer.subject} ${config.emailer.body}`.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)].map((m) => m[1]);
        expect(placeholders.length).toBeGreaterThan(3);
        expect(placeholders.filter((p) => !EMAIL_PLACEHOLDERS.includes(p))).toEqual([]);
        expect(config.emailer.body.includes("{{ error }}")).toBe(true);
    });
});

test("aws: the topic by its ARN (gizmo publishes to it as TopicArn), the queue by name with its owner, all in the region", () => {
    expect(notificationsConfig(VARIANTS["aws, SES"])).toEqual({
        type: "aws",
        aws: { region: "eu-west-1" },
        publisher: { topicName: "arn:aws:sns:eu-west-1:123456789012:flyte-prod-notifications" },
        processor: { queueName: "flyte-prod-notifications", accountId: "123456789012" },
        emailer: { sender: SENDER, subject: EMAIL_SUBJECT, body: emailBody(undefined) },
    });
});

test("gcp: the topic and the subscription by their short names, in the project", () => {
    const config = notificationsConfig(VARIANTS["gcp, SendGrid"]);
    expect(config).toMatchObject({
        type: "gcp",
        gcp: { projectId: "acme-flyte-prod" },
        publisher: { topicName: "flyte-prod-notifications" },
        processor: { queueName: "flyte-prod-notifications-admin" },
    });
    expect(config.aws).toBeUndefined();
    expect(config.processor?.accountId).toBeUndefined();
});

test("sandbox: flyteadmin's in-process channel, with nothing else to name", () => {
    const config = notificationsConfig(VARIANTS["sandbox, SMTP"]);
    expect(Object.keys(config).sort()).toEqual(["emailer", "type"]);
    expect(config.type).toBe("sandbox");
});

test("SendGrid: the API key from the file the credentials Secret is mounted as", () => {
    expect(notificationsConfig(VARIANTS["gcp, SendGrid"]).emailer.emailServerConfig).toEqual({
        serviceName: "sendgrid",
        apiKeyFilePath: `${EMAIL_CREDENTIALS_DIR}/sendgrid_api_key`,
    });
    expect(emailCredentialFile({ service: "sendgrid" })).toBe("sendgrid_api_key");
});

test("SMTP: server, port as the string flyteadmin's struct has, the user, and a password name the secret manager finds in the mounted file", () => {
    const server = notificationsConfig(VARIANTS["sandbox, SMTP"]).emailer.emailServerConfig;
    expect(server).toEqual({
        serviceName: "smtp",
        smtpServer: "smtp.example.com",
        smtpPort: "587",
        smtpUsername: "flyte-mailer",
        smtpPasswordSecretName: secretManagerName(`${EMAIL_CREDENTIALS_DIR}/smtp_password`),
    });
    // Where flyteadmin looks for it (secrets.go:24-46): no environment variable of that name, so the file.
    const lookup = secretManagerLookup(server?.serviceName === "smtp" ? (server.smtpPasswordSecretName ?? "") : "");
    expect(lookup.file).toBe(`${EMAIL_CREDENTIALS_DIR}/smtp_password`);
    expect(lookup.envVar).toMatch(/^FLYTE_SECRET_\.\.\//);
    // Not under /etc/secrets, where both charts mount volumes of their own.
    expect(lookup.file.startsWith("/etc/secrets/")).toBe(false);
});

test("SMTP without a login: no user, no password, no credentials", () => {
    const server = notificationsConfig(VARIANTS["sandbox, SMTP without login"]).emailer.emailServerConfig;
    expect(server).toEqual({ serviceName: "smtp", smtpServer: "smtp.example.com", smtpPort: "25" });
    expect(emailCredentialFile({ ...SMTP, username: "" })).toBeUndefined();
    expect(emailCredentialFile({ service: "ses" })).toBeUndefined();
    expect(emailCredentialFile(SMTP)).toBe("smtp_password");
});

test("SES anywhere but the aws channel, or credentials without their Secret, fail rather than send nothing", () => {
    expect(() => notificationsConfig(notifications({ channel: GCP_CHANNEL }))).toThrow("email through SES needs the aws notification channel, not gcp");
    expect(() => notificationsConfig(notifications({ channel: { type: "sandbox" } }))).toThrow("not sandbox");
    expect(() => notificationsConfig(notifications({ email: { service: "sendgrid" } }))).toThrow("sendgrid needs the Secret with sendgrid_api_key");
    expect(() => notificationsConfig(notifications({ email: SMTP }))).toThrow("smtp needs the Secret with smtp_password");
});

test("the body links to the execution in the console where there is a console URL", () => {
    expect(emailBody(undefined)).not.toContain("href");
    expect(emailBody("https://flyte.ml.example.com/console")).toContain(
        '<a href="https://flyte.ml.example.com/console/projects/{{ project }}/domains/{{ domain }}/executions/{{ name }}">',
    );
    expect(notificationsConfig(VARIANTS["gcp, SMTP"]).emailer.body).toBe(emailBody("https://flyte.ml.example.com/console"));
});

const EVENTS: Readonly<Record<string, ChartEventsTopic>> = {
    aws: { type: "aws", region: "eu-west-1", topicArn: "arn:aws:sns:eu-west-1:123456789012:flyte-prod-events" },
    gcp: { type: "gcp", project: "acme-flyte-prod", topic: "flyte-prod-events" },
};

describe.each(Object.entries(EVENTS))("execution events: %s", (type, topic) => {
    const config = externalEventsConfig(topic);

    test("every key is one flyteadmin reads; on, of the type, every event type", () => {
        expect(unreadKeys(SECTIONS.externalEvents, config)).toEqual([]);
        expect(config.enable).toBe(true);
        expect(config.type).toBe(type);
        // event_publisher.go:80-95: "all" adds every supported event; an unknown one is logged and dropped.
        expect(config.eventsPublisher.eventTypes).toEqual([EVENT_TYPES.AllTypes]);
    });
});

test("execution events: the SNS topic by ARN in its region; the Pub/Sub topic by name in its project", () => {
    expect(externalEventsConfig(EVENTS.aws)).toEqual({
        enable: true,
        type: "aws",
        aws: { region: "eu-west-1" },
        eventsPublisher: { topicName: "arn:aws:sns:eu-west-1:123456789012:flyte-prod-events", eventTypes: ["all"] },
    });
    expect(externalEventsConfig(EVENTS.gcp)).toEqual({
        enable: true,
        type: "gcp",
        gcp: { projectId: "acme-flyte-prod" },
        eventsPublisher: { topicName: "flyte-prod-events", eventTypes: ["all"] },
    });
});

test("the credentials Secret: a volume and a read-only mount at the directory the config names, or none", () => {
    expect(emailCredentialsVolume({ notifications: VARIANTS["gcp, SendGrid"] })).toEqual({
        volumes: [{ name: "email-credentials", secret: { secretName: "email-credentials" } }],
        mounts: [{ name: "email-credentials", mountPath: EMAIL_CREDENTIALS_DIR, readOnly: true }],
    });
    expect(emailCredentialsVolume({ notifications: VARIANTS["aws, SES"], events: EVENTS.aws })).toEqual({ volumes: [], mounts: [] });
    expect(emailCredentialsVolume(undefined)).toEqual({ volumes: [], mounts: [] });
});

test("secretManagerName: a file as a name relative to the secret manager's /etc/secrets", () => {
    expect(secretManagerName("/etc/flyte/email-credentials/smtp_password")).toBe("../flyte/email-credentials/smtp_password");
    expect(secretManagerName("/etc/secrets/smtp_password")).toBe("smtp_password");
});

test("tplEscaped: every string of a tree comes out of Helm's tpl as it went in; other values unchanged", () => {
    const config = notificationsConfig(VARIANTS["gcp, SMTP"]);
    const escaped = tplEscaped(config);
    expect(stringsIn(escaped).map((s) => ({ path: s.path, value: renderEscapedTpl(s.value) }))).toEqual(stringsIn(config));
    expect(escaped.emailer.subject).not.toBe(config.emailer.subject);
    expect(tplEscaped({ enable: true, n: 3, list: ["{{ a }}", null] })).toEqual({ enable: true, n: 3, list: ['{{ "{{" }} a }}', null] });
});
