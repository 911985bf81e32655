/** CloudTrail: one trail sees every region, its files can be proven untouched, and they are KMS-encrypted. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { forTypes, str } from "./util";

export const cloudtrailPolicies: ResourceValidationPolicy[] = [
  {
    name: "cloudtrail-hardened",
    description: "CloudTrail trails are multi-region, validate log files, and encrypt with a KMS key.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(["aws:cloudtrail/trail:Trail"], (props, _args, report) => {
      if (props.isMultiRegionTrail !== true) report("isMultiRegionTrail must be true");
      if (props.enableLogFileValidation !== true) report("enableLogFileValidation must be true");
      if (!str(props.kmsKeyId)) report("kmsKeyId must name a KMS key");
    }),
  },
];
