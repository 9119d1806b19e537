/**
 * Email notifications and execution events (components/config/notifications.ts): each target's email services,
 * what each service needs, and keys that mean nothing in the chosen setup refused in one line.
 */
import { OFFLINE_SECRET_PLACEHOLDER } from "../../../components/shared/offlinePlan";
import { awsStackConfig, configError, CONTEXT, expectOneLine, gcpStackConfig, localStackConfig, MINIMAL, rawAwsConfig, rawGcpConfig } from "../../helpers/config";
import { parseStackConfig } from "../../../components/config/parse";

const ON = { "flyte:notifications": "true", "flyte:notificationsSender": "flyte@ml.example.com" } as const;
const SMTP = { "flyte:notificationsEmailService": "smtp", "flyte:smtpServer": "smtp.example.com", "flyte:smtpUsername": "flyte", "flyte:smtpPassword": "pw" } as const;

describe("off by default", () => {
    test("no notifications, no events on any target", () => {
        for (const config of [gcpStackConfig(), awsStackConfig(), localStackConfig()]) {
            expect(config.notifications).toBeUndefined();
            expect(config.executionEvents).toBe(false);
        }
    });

    test.each([
        ["flyte:notificationsSender", "flyte@example.com"],
        ["flyte:notificationsEmailService", "smtp"],
        ["flyte:smtpServer", "smtp.example.com"],
        ["flyte:smtpPort", "465"],
        ["flyte:sendgridApiKey", "SG.key"],
    ])("%s without notifications is refused", (key, value) => {
        const err = configError(rawGcpConfig({ [key]: value }));
        expectOneLine(err, key);
        expect(err.message).toContain("only with notifications: true");
        expect(err.message).not.toContain("SG.key");
    });
});

describe("aws", () => {
    test("SES by default, as the sender", () => {
        expect(awsStackConfig(ON).notifications).toEqual({ sender: "flyte@ml.example.com", email: { service: "ses" } });
    });

    test("or SendGrid, or SMTP", () => {
        expect(awsStackConfig({ ...ON, "flyte:notificationsEmailService": "sendgrid", "flyte:sendgridApiKey": "SG.abc" }).notifications?.email).toEqual({ service: "sendgrid", apiKey: "SG.abc" });
        expect(awsStackConfig({ ...ON, ...SMTP }).notifications?.email).toEqual({ service: "smtp", server: "smtp.example.com", port: 587, username: "flyte", password: "pw" });
    });

    test("execution events on their own", () => {
        const config = awsStackConfig({ "flyte:executionEvents": "true" });
        expect(config.executionEvents).toBe(true);
        expect(config.notifications).toBeUndefined();
    });
});

describe("gcp", () => {
    test("SendGrid or SMTP; SES is refused with what gcp allows", () => {
        expect(gcpStackConfig({ ...ON, "flyte:notificationsEmailService": "sendgrid", "flyte:sendgridApiKey": "SG.abc" }).notifications?.email.service).toBe("sendgrid");
        expect(gcpStackConfig({ ...ON, ...SMTP, "flyte:smtpPort": "25" }).notifications?.email).toMatchObject({ service: "smtp", port: 25 });
        const err = configError(rawGcpConfig(ON));
        expectOneLine(err, "flyte:notificationsEmailService");
        expect(err.message).toContain("allowed on gcp: sendgrid or smtp");
    });

    test("an encrypted SendGrid key is read as a secret (offline: the placeholder)", () => {
        const raw = { ...MINIMAL.gcp, ...ON, "flyte:notificationsEmailService": "sendgrid", "flyte:sendgridApiKey": OFFLINE_SECRET_PLACEHOLDER };
        const config = parseStackConfig(raw, { ...CONTEXT, secretKeys: ["flyte:sendgridApiKey"] });
        expect(config.notifications?.email).toEqual({ service: "sendgrid", apiKey: OFFLINE_SECRET_PLACEHOLDER });
    });
});

describe("local", () => {
    test("SMTP only; no execution events (no topic to publish to)", () => {
        expect(localStackConfig({ ...ON, ...SMTP }).notifications?.email.service).toBe("smtp");
        const err = configError({ "flyte:cloud": "local", ...ON });
        expectOneLine(err, "flyte:notificationsEmailService");
        expect(err.message).toContain("allowed on local: smtp");
        expect(configError({ "flyte:cloud": "local", "flyte:executionEvents": "true" }).message).toContain("flyte:executionEvents");
    });
});

describe("what each email service needs", () => {
    test.each([
        [{ ...ON, "flyte:notificationsSender": "" }, "flyte:notificationsSender", "required with notifications"],
        [{ ...ON, "flyte:notificationsSender": "not an address" }, "flyte:notificationsSender", "an email address"],
        [{ ...ON, "flyte:notificationsEmailService": "sendgrid" }, "flyte:sendgridApiKey", "required with notificationsEmailService sendgrid"],
        [{ ...ON, ...SMTP, "flyte:smtpServer": "" }, "flyte:smtpServer", "required with notificationsEmailService smtp"],
        [{ ...ON, ...SMTP, "flyte:smtpServer": "smtp://host" }, "flyte:smtpServer", "a host name"],
        [{ ...ON, ...SMTP, "flyte:smtpPassword": "" }, "flyte:smtpPassword", "go together"],
        [{ ...ON, ...SMTP, "flyte:smtpUsername": "" }, "flyte:smtpUsername", "go together"],
        [{ ...ON, ...SMTP, "flyte:smtpPort": "0" }, "flyte:smtpPort", "1 to 65535"],
        [{ ...ON, ...SMTP, "flyte:smtpPort": "465" }, "flyte:smtpPort", "usually 587"],
        [{ ...ON, "flyte:sendgridApiKey": "SG.x" }, "flyte:sendgridApiKey", "only with notificationsEmailService sendgrid"],
        [{ ...ON, "flyte:smtpServer": "smtp.example.com" }, "flyte:smtpServer", "only with notificationsEmailService smtp"],
    ])("%# %s", (overrides, key, allowed) => {
        const err = configError(rawAwsConfig(overrides));
        expectOneLine(err, key);
        expect(err.message).toContain(allowed);
    });

    test("an SMTP server without login: neither user nor password", () => {
        const config = awsStackConfig({ ...ON, "flyte:notificationsEmailService": "smtp", "flyte:smtpServer": "relay.internal" });
        expect(config.notifications?.email).toEqual({ service: "smtp", server: "relay.internal", port: 587, username: "", password: "" });
    });

    test("the SMTP password is never shown", () => {
        const err = configError(rawAwsConfig({ ...ON, ...SMTP, "flyte:smtpUsername": "", "flyte:smtpPassword": "hunter2" }));
        expect(err.message).not.toContain("hunter2");
    });
});
