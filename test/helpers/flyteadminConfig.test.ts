import { fileConstants, flyteadminSections, GoType, keyPaths, secretManagerLookup, sourceBlocks, unreadKeys } from "./flyteadminConfig";

/**
 * The reader of flyteadmin's config structs (flyteadminConfig.ts) on its fixture, the verbatim excerpts of Flyte
 * v1.16.8: it must find the keys flyteadmin reads, where each is declared, and refuse what it does not read.
 */

const APP_CONFIG = "flyteadmin/pkg/runtime/interfaces/application_configuration.go";

test("every excerpt has as many lines as its header names", () => {
    const blocks = sourceBlocks();
    expect(blocks.map((b) => `${b.file}:${b.start}-${b.end}`)).toEqual(
        expect.arrayContaining([`${APP_CONFIG}:567-629`, `${APP_CONFIG}:661-677`, "flyteadmin/pkg/runtime/application_config_provider.go:63-65"]),
    );
    expect(() => sourceBlocks("// ==== a.go:1-3\nline one\nline two\n")).toThrow("a.go:1-3 has 2 lines in the fixture");
});

test("the two sections and the keys of each, with the line that declares them", () => {
    const sections = flyteadminSections();
    expect(Object.keys(sections).sort()).toEqual(["externalEvents", "notifications"]);
    const notifications = keyPaths(sections.notifications);
    expect(Object.keys(notifications).sort()).toEqual([
        "aws",
        "aws.region",
        "emailer",
        "emailer.body",
        "emailer.emailServerConfig",
        "emailer.emailServerConfig.apiKeyEnvVar",
        "emailer.emailServerConfig.apiKeyFilePath",
        "emailer.emailServerConfig.serviceName",
        "emailer.emailServerConfig.smtpPasswordSecretName",
        "emailer.emailServerConfig.smtpPort",
        "emailer.emailServerConfig.smtpServer",
        "emailer.emailServerConfig.smtpSkipTLSVerify",
        "emailer.emailServerConfig.smtpUsername",
        "emailer.sender",
        "emailer.subject",
        "gcp",
        "gcp.projectId",
        "processor",
        "processor.accountId",
        "processor.queueName",
        "publisher",
        "publisher.topicName",
        "reconnectAttempts",
        "reconnectDelaySeconds",
        "region",
        "type",
    ]);
    // Where flyteadmin v1.16.8 declares them.
    expect(notifications["publisher.topicName"]).toBe(`${APP_CONFIG}:570`);
    expect(notifications["processor.accountId"]).toBe(`${APP_CONFIG}:579`);
    expect(notifications["emailer.emailServerConfig.smtpPasswordSecretName"]).toBe(`${APP_CONFIG}:591`);
    expect(notifications.emailer).toBe(`${APP_CONFIG}:672`);
    expect(keyPaths(sections.externalEvents)).toMatchObject({
        enable: `${APP_CONFIG}:617`,
        "aws.region": `${APP_CONFIG}:214`,
        "gcp.projectId": `${APP_CONFIG}:219`,
        "eventsPublisher.topicName": `${APP_CONFIG}:609`,
        "eventsPublisher.eventTypes": `${APP_CONFIG}:611`,
    });
});

test("what flyteadmin does not read: unknown keys at any depth, and values of another kind", () => {
    const { notifications, externalEvents } = flyteadminSections();
    expect(unreadKeys(notifications, { type: "aws", aws: { region: "eu-west-1" }, emailer: { sender: "a@b.io", emailServerConfig: { serviceName: "smtp", smtpPort: "587" } } })).toEqual([]);
    expect(unreadKeys(notifications, { topicName: "t", aws: { regionName: "x" }, emailer: { emailServerConfig: { smtpPassword: "p" } } })).toEqual([
        "topicName: NotificationsConfig has no field with json key topicName",
        "aws.regionName: AWSConfig has no field with json key regionName",
        "emailer.emailServerConfig.smtpPassword: EmailServerConfig has no field with json key smtpPassword",
    ]);
    // smtpPort is a string in flyteadmin's struct; keys match exactly, as written in the struct tags.
    expect(unreadKeys(notifications, { emailer: { emailServerConfig: { smtpPort: 587 } }, Type: "aws" })).toEqual([
        "emailer.emailServerConfig.smtpPort: 587 is not a string",
        "Type: NotificationsConfig has no field with json key Type",
    ]);
    expect(unreadKeys(externalEvents, { enable: "true", eventsPublisher: { eventTypes: "all" } })).toEqual([
        'enable: "true" is not a bool',
        'eventsPublisher.eventTypes: "all" is not a list',
    ]);
    const list: GoType = { kind: "list", of: { kind: "int" } };
    expect(unreadKeys(list, [1, 2.5])).toEqual(["[1]: 2.5 is not an int"]);
});

test("the values flyteadmin recognises: cloud types, email services, event types", () => {
    expect(Object.values(fileConstants("flyteadmin/pkg/common/cloud.go")).sort()).toEqual(["aws", "gcp", "local", "none", "sandbox"]);
    expect(fileConstants("flyteadmin/pkg/async/notifications/implementations/emailers.go")).toEqual({ Sendgrid: "sendgrid", SMTP: "smtp" });
    expect(fileConstants("flyteadmin/pkg/async/notifications/implementations/event_publisher.go")).toMatchObject({ AllTypes: "all", Workflow: "workflow" });
    expect(() => fileConstants("nowhere.go")).toThrow("no constants of nowhere.go");
});

test("where the secret manager looks for a named secret: an environment variable, then a file under /etc/secrets (path cleaned)", () => {
    expect(secretManagerLookup("smtp_password")).toEqual({ envVar: "FLYTE_SECRET_smtp_password", file: "/etc/secrets/smtp_password" });
    expect(secretManagerLookup("../flyte/email/smtp_password").file).toBe("/etc/flyte/email/smtp_password");
});
