/**
 * Elastic Load Balancing's log-delivery accounts, per region, for regions that predate its
 * log-delivery service principal (AWS grants these accounts s3:PutObject on a load balancer's log
 * bucket, with no condition). Infra writes the grant; the policy pack accepts exactly these
 * accounts, and only through its exemption entry of this id.
 */
export const PURPOSE_EXEMPTION = "elb-access-log-delivery";

/** Elastic Load Balancing's account per region, for regions that predate its service principal. */
export const ELB_ACCOUNTS: Record<string, string> = {
  "us-east-1": "127311923021",
  "us-east-2": "033677994240",
  "us-west-1": "027434742980",
  "us-west-2": "797873946194",
  "ca-central-1": "985666609251",
  "eu-central-1": "054676820928",
  "eu-west-1": "156460612806",
  "eu-west-2": "652711504416",
  "eu-west-3": "009996457667",
  "eu-north-1": "897822967062",
  "ap-northeast-1": "582318560864",
  "ap-northeast-2": "600734575887",
  "ap-south-1": "718504428378",
  "ap-southeast-1": "114774131450",
  "ap-southeast-2": "783225319266",
  "sa-east-1": "507241528517",
};
