import { AcmCertificate, acmValidationRecord, fqdn } from "../../../components/aws/acmCertificate";
import { mockResource } from "../../../lib/plan/mocks";
import type { Plan } from "../../../lib/plan/runPlan";
import { childrenOf, component, runComponents } from "../../helpers/components";
import { ofType, only } from "../../helpers/plan";
import { arrayAt, stringAt } from "../../helpers/json";

const HOST = "flyte.ml.example.com";
const ZONE = "Z0123456789ABCDEFGHIJ";
const T = {
    certificate: "aws:acm/certificate:Certificate",
    validation: "aws:acm/certificateValidation:CertificateValidation",
    record: "aws:route53/record:Record",
} as const;

/** What the mocked ACM reports for the certificate: its ARN and its one validation record. */
const MOCKED = mockResource(T.certificate, "cert-certificate", { domainName: HOST }).state;
const CERTIFICATE_ARN = stringAt(MOCKED, "arn");
const RECORD_NAME = stringAt(MOCKED, "domainValidationOptions", 0, "resourceRecordName");
const RECORD_VALUE = stringAt(MOCKED, "domainValidationOptions", 0, "resourceRecordValue");

function planCertificate(dnsZone: string): Promise<Plan> {
    return runComponents(() => {
        const cert = new AcmCertificate("cert", { domainName: HOST, dnsZone, tags: { app: "flyte" } });
        return { issuedArn: cert.issuedArn, dnsRecordsToCreate: cert.dnsRecordsToCreate };
    });
}

describe("pure builders", () => {
    test("fqdn adds the trailing dot once", () => {
        expect(fqdn(HOST)).toBe(`${HOST}.`);
        expect(fqdn(`${HOST}.`)).toBe(`${HOST}.`);
    });

    const option = { domainName: HOST, resourceRecordName: "_a1.flyte.ml.example.com.", resourceRecordType: "CNAME", resourceRecordValue: "_b2.xyz.acm-validations.aws." };

    test("the validation record is ACM's CNAME for the name", () => {
        expect(acmValidationRecord([option], HOST)).toEqual({
            name: "_a1.flyte.ml.example.com.",
            type: "CNAME",
            values: ["_b2.xyz.acm-validations.aws."],
            purpose: `validation of the TLS certificate for ${HOST} (ACM)`,
        });
    });

    test("fails when ACM reports no record, or none or several for the name", () => {
        expect(() => acmValidationRecord(undefined, HOST)).toThrow(/0 DNS validation records/);
        expect(() => acmValidationRecord([{ ...option, domainName: "other.example.com" }], HOST)).toThrow(/0 DNS validation records/);
        expect(() => acmValidationRecord([option, option], HOST)).toThrow(/2 DNS validation records/);
    });
});

describe("with a Route 53 zone", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planCertificate(ZONE);
    });

    test("a DNS-validated certificate for exactly the name", () => {
        expect(only(plan, T.certificate).inputs).toEqual({ domainName: HOST, validationMethod: "DNS", tags: { app: "flyte" } });
    });

    test("ACM's validation record is written to the zone", () => {
        expect(only(plan, T.record).inputs).toMatchObject({
            zoneId: ZONE,
            name: RECORD_NAME,
            type: "CNAME",
            records: [RECORD_VALUE],
            ttl: 300,
            allowOverwrite: true,
        });
    });

    test("the validation waits for that record, and the issued ARN comes from it", () => {
        const validation = only(plan, T.validation);
        const record = only(plan, T.record);
        expect(validation.inputs).toEqual({ certificateArn: CERTIFICATE_ARN, validationRecordFqdns: [RECORD_NAME.replace(/\.$/, "")] });
        expect(validation.propertyDependencies.validationRecordFqdns).toEqual([record.urn]);
        expect(plan.outputs.issuedArn).toBe(CERTIFICATE_ARN);
    });

    test("nothing is left to create by hand", () => {
        expect(plan.outputs.dnsRecordsToCreate).toEqual([]);
    });

    test("all three are the component's children", () => {
        const children = childrenOf(plan, component(plan, "flyte:aws:AcmCertificate"));
        expect(children.map((c) => c.type).sort()).toEqual([T.certificate, T.validation, T.record].sort());
    });
});

describe("without a zone", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planCertificate("");
    });

    test("no record is written; the validation record is listed to create by hand", () => {
        expect(ofType(plan, T.record)).toEqual([]);
        expect(plan.outputs.dnsRecordsToCreate).toEqual([
            { name: RECORD_NAME, type: "CNAME", values: [RECORD_VALUE], purpose: `validation of the TLS certificate for ${HOST} (ACM)` },
        ]);
        expect(arrayAt(plan.outputs, "dnsRecordsToCreate")).toHaveLength(1);
    });

    test("the validation waits only for ACM to issue the certificate (no record of ours), so the listener never gets a pending one", () => {
        const validation = only(plan, T.validation);
        expect(validation.inputs).toEqual({ certificateArn: CERTIFICATE_ARN });
        expect(plan.outputs.issuedArn).toBe(CERTIFICATE_ARN);
    });
});
