/**
 * Source conditions on service-principal trust (the cross-service confused-deputy guard): which
 * service principals the platform's roles may trust without `aws:SourceAccount` / `aws:SourceArn`,
 * and why. Read by the role block (infra/components/blocks/service-role) to decide which trust
 * statements carry the condition, and by the policy pack (`iam-service-trust-source-condition`)
 * to decide which unconditioned service trusts it fails; so both hold the same reviewed list.
 */

/**
 * Service principals that send no source context when they assume a role, so a condition on
 * `aws:SourceAccount` / `aws:SourceArn` would only stop the service from assuming it. An entry is
 * added by review, with the reason; every other service principal must be conditioned.
 */
export const SERVICES_WITHOUT_SOURCE_CONTEXT: Readonly<Record<string, string>> = {
  "ec2.amazonaws.com":
    "EC2 assumes an instance profile's role for the instance itself; AWS documents no aws:SourceAccount or aws:SourceArn " +
    "in that request, and iam:PassRole (which cannot cross accounts) is what binds the role to the instance",
};

/** True when `service` may be trusted without a source condition (it is on the reviewed list). */
export const sendsNoSourceContext = (service: string): boolean =>
  Object.prototype.hasOwnProperty.call(SERVICES_WITHOUT_SOURCE_CONTEXT, service.toLowerCase());

/**
 * The `aws:SourceArn` pattern AWS documents for a service's role trust, for services whose caller
 * ARN has a stable account-scoped form; other services are conditioned on `aws:SourceAccount` only
 * (or on the exact caller ARN where the role's builder knows it).
 */
export function documentedSourceArn(service: string, where: SourceLocation): string | undefined {
  // Amazon ECS task and task execution roles: any ECS resource of this account in this region.
  if (service === "ecs-tasks.amazonaws.com") return `arn:${where.partition}:ecs:${where.region}:${where.account}:*`;
  return undefined;
}

/** Where a role is deployed: what its source conditions are built from. */
export interface SourceLocation {
  partition: string;
  region: string;
  account: string;
}

/**
 * The trust policy of a role that `services` assume with `actions`: one statement per service that
 * takes source conditions, under `aws:SourceAccount` = the role's own account and `aws:SourceArn` =
 * `sourceArn` (the one resource the service acts for) or the pattern AWS documents for the service;
 * the reviewed services that send no source context share one statement without a condition.
 */
export function serviceTrustPolicy(
  services: string[],
  actions: string[],
  where: SourceLocation,
  sourceArn?: string,
): { Version: string; Statement: object[] } {
  const conditioned = services.filter((s) => !sendsNoSourceContext(s));
  const unconditioned = services.filter(sendsNoSourceContext);
  if (sourceArn !== undefined && conditioned.length !== 1)
    throw new Error(`sourceArn ${sourceArn} needs exactly one service that takes source conditions`);
  return {
    Version: "2012-10-17",
    Statement: [
      ...conditioned.map((service) => {
        const arn = sourceArn ?? documentedSourceArn(service, where);
        return {
          Effect: "Allow",
          Principal: { Service: [service] },
          Action: actions,
          Condition: {
            StringEquals: { "aws:SourceAccount": where.account },
            ...(arn === undefined ? {} : { ArnLike: { "aws:SourceArn": arn } }),
          },
        };
      }),
      ...(unconditioned.length === 0
        ? []
        : [{ Effect: "Allow", Principal: { Service: unconditioned }, Action: actions }]),
    ],
  };
}
