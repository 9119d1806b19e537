import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { DnsRecord } from "../contract/platform";

/** A DNS name with its trailing dot, as a zone file writes it: `flyte.example.com.`. */
export function fqdn(name: string): string {
    return name.endsWith(".") ? name : `${name}.`;
}

/** One of ACM's DNS validation options (`Certificate.domainValidationOptions`). */
export interface AcmValidationOption {
    readonly domainName: string;
    readonly resourceRecordName: string;
    readonly resourceRecordType: string;
    readonly resourceRecordValue: string;
}

/**
 * The record ACM asks for to validate the certificate of `domainName`
 * (https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html): a CNAME from a name under the domain to a
 * name under ACM's. Fails when ACM reports none or several for the name.
 */
export function acmValidationRecord(options: readonly AcmValidationOption[] | undefined, domainName: string): DnsRecord {
    const matching = (options ?? []).filter((o) => o.domainName === domainName);
    if (matching.length !== 1) {
        throw new Error(`ACM reports ${matching.length} DNS validation records for ${domainName}, expected one`);
    }
    const option = matching[0];
    return {
        name: fqdn(option.resourceRecordName),
        type: option.resourceRecordType,
        values: [fqdn(option.resourceRecordValue)],
        purpose: `validation of the TLS certificate for ${domainName} (ACM)`,
    };
}

/** TTL of the validation record: ACM only needs to find it once, and again at each renewal. */
export const VALIDATION_RECORD_TTL = 300;

export interface AcmCertificateArgs {
    /** The one name the certificate is for (`flyte:dnsName`), e.g. `flyte.ml.example.com`; changing it replaces the certificate. */
    readonly domainName: string;
    /**
     * The Route 53 hosted zone id the validation record is written to (`flyte:dnsZone`); empty: the record is
     * listed in `dnsRecordsToCreate` for a person to create at their DNS provider.
     */
    readonly dnsZone: string;
    /** AWS tags on the certificate. */
    readonly tags: Readonly<Record<string, string>>;
}

/**
 * A public ACM certificate for Flyte's name, validated through DNS; ACM renews it for as long as the validation
 * record stays in place. With a zone the program writes the record; without one, a person does, and `pulumi up`
 * waits for ACM to issue the certificate (which it can check) before the HTTPS listener uses it.
 */
export class AcmCertificate extends pulumi.ComponentResource {
    readonly certificate: aws.acm.Certificate;
    /** The CNAME ACM asks for. */
    readonly validationRecord: pulumi.Output<DnsRecord>;
    /** The certificate's ARN once ACM has issued it: an HTTPS listener refuses a certificate that is not issued yet. */
    readonly issuedArn: pulumi.Output<string>;
    /** The validation record when there is no zone to write it to; empty otherwise. */
    readonly dnsRecordsToCreate: pulumi.Output<readonly DnsRecord[]>;

    constructor(name: string, args: AcmCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:aws:AcmCertificate", name, {}, opts);
        const child = { parent: this };
        const { domainName } = args;

        this.certificate = new aws.acm.Certificate(
            `${name}-certificate`,
            { domainName, validationMethod: "DNS", tags: { ...args.tags } },
            child,
        );
        this.validationRecord = this.certificate.domainValidationOptions.apply((options) => acmValidationRecord(options, domainName));

        let validationRecordFqdns: pulumi.Output<string>[] | undefined;
        if (args.dnsZone) {
            const record = new aws.route53.Record(
                `${name}-validation-record`,
                {
                    zoneId: args.dnsZone,
                    name: this.validationRecord.name,
                    type: this.validationRecord.type,
                    records: this.validationRecord.values.apply((values) => [...values]),
                    ttl: VALIDATION_RECORD_TTL,
                    // ACM asks for the same record for the same name in the same account: a replaced certificate, or
                    // an earlier stack's leftover, finds it in place.
                    allowOverwrite: true,
                },
                child,
            );
            validationRecordFqdns = [record.fqdn];
            this.dnsRecordsToCreate = pulumi.output([]);
        } else {
            this.dnsRecordsToCreate = this.validationRecord.apply((record) => [record]);
            // Stack outputs are written when `pulumi up` ends, after the wait below: say what to create while it waits.
            this.validationRecord.apply((record) => {
                if (!pulumi.runtime.isDryRun()) {
                    pulumi.log.warn(
                        `create the DNS record ${record.name} ${record.type} ${record.values.join(" ")} (${record.purpose}); ` +
                            "pulumi up waits for ACM to issue the certificate",
                        this,
                    );
                }
            });
        }
        // Waits until ACM reports the certificate issued; with a zone, also for the record written there.
        const validation = new aws.acm.CertificateValidation(
            `${name}-validation`,
            { certificateArn: this.certificate.arn, validationRecordFqdns },
            child,
        );
        this.issuedArn = validation.certificateArn;

        this.registerOutputs({ certificateArn: this.certificate.arn });
    }
}
