/**
 * Entry point of the CrossGuard pack: `pulumi preview --policy-pack policies/` runs this module,
 * and the offline gate (`npm run policy`) loads it the same way. Mandatory unless a policy says
 * otherwise (required tags are advisory).
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, policies } from "./pack";

new PolicyPack(PACK_NAME, { enforcementLevel: "mandatory", policies });
