import { ConfigReader } from "./reader";
import { CONFIG_KEYS, ConfigKey } from "./schema";
import type { Cloud, EmailServiceConfig, NotificationsConfig } from "../contract/config";

/** Keys that mean something only with notifications on. */
const NOTIFICATION_KEYS = ["notificationsSender", "notificationsEmailService"] as const satisfies readonly ConfigKey[];
const SENDGRID_KEYS = ["sendgridApiKey"] as const satisfies readonly ConfigKey[];
const SMTP_KEYS = ["smtpServer", "smtpPort", "smtpUsername", "smtpPassword"] as const satisfies readonly ConfigKey[];

/** SMTP over implicit TLS (RFC 8314). */
const SMTPS_PORT = 465;

/** The email services each target offers: SES is an AWS service; local has no cloud to send through. */
const SERVICES: Readonly<Record<Cloud, readonly EmailServiceConfig["service"][]>> = {
    aws: ["ses", "sendgrid", "smtp"],
    gcp: ["sendgrid", "smtp"],
    local: ["smtp"],
};

/** Email notifications (`notifications` and the keys of its email service); undefined when off. */
export function parseNotifications(config: ConfigReader, cloud: Cloud): NotificationsConfig | undefined {
    const enabled = config.boolean("notifications");
    const service = config.oneOf("notificationsEmailService");
    if (!enabled) {
        config.refuseSetKeys([...NOTIFICATION_KEYS, ...SENDGRID_KEYS.filter(() => CONFIG_KEYS.sendgridApiKey.targets.includes(cloud)), ...SMTP_KEYS], "notifications: true");
        return undefined;
    }
    const sender = config.string("notificationsSender");
    if (sender === "") {
        config.fail("notificationsSender", sender, `required with notifications; allowed: ${CONFIG_KEYS.notificationsSender.allows}`);
    }
    const allowed = SERVICES[cloud];
    if (!allowed.includes(service)) {
        config.fail("notificationsEmailService", service, `allowed on ${cloud}: ${allowed.join(" or ")}`);
    }
    if (service !== "sendgrid" && CONFIG_KEYS.sendgridApiKey.targets.includes(cloud)) {
        config.refuseSetKeys(SENDGRID_KEYS, "notificationsEmailService sendgrid");
    }
    if (service !== "smtp") {
        config.refuseSetKeys(SMTP_KEYS, "notificationsEmailService smtp");
    }
    return { sender, email: emailService(config, service) };
}

function emailService(config: ConfigReader, service: EmailServiceConfig["service"]): EmailServiceConfig {
    switch (service) {
        case "ses":
            return { service };
        case "sendgrid": {
            const apiKey = config.secret("sendgridApiKey");
            if (apiKey === "") {
                config.fail("sendgridApiKey", "", "required with notificationsEmailService sendgrid; set it with pulumi config set --secret");
            }
            return { service, apiKey };
        }
        case "smtp": {
            const server = config.string("smtpServer");
            if (server === "") {
                config.fail("smtpServer", server, `required with notificationsEmailService smtp; allowed: ${CONFIG_KEYS.smtpServer.allows}`);
            }
            const username = config.string("smtpUsername");
            const password = config.secret("smtpPassword");
            // flyteadmin authenticates with PLAIN whenever it has a user: both or neither.
            if ((username === "") !== (password === "")) {
                config.fail(username === "" ? "smtpUsername" : "smtpPassword", username === "" ? "" : "(secret)", "smtpUsername and smtpPassword go together: both, or neither for a server that needs no login");
            }
            const port = config.integer("smtpPort");
            // flyteadmin dials plain SMTP and upgrades with STARTTLS when offered (smtp.Dial in
            // flyteadmin/pkg/async/notifications/implementations/smtp_emailer.go at v1.16.8): a port speaking TLS from
            // the first byte never answers its greeting.
            if (port === SMTPS_PORT) {
                config.fail("smtpPort", port, "flyteadmin speaks SMTP with STARTTLS, not TLS from the first byte (465): use the server's submission port, usually 587");
            }
            return { service, server, port, username, password };
        }
    }
}

/** Execution events to a topic (gcp, aws); false elsewhere. */
export function parseExecutionEvents(config: ConfigReader, cloud: Cloud): boolean {
    return CONFIG_KEYS.executionEvents.targets.includes(cloud) ? config.boolean("executionEvents") : false;
}
