/**
 * The recommended labels a search object carries: its component, part of `search`, and its own
 * name where it has one. The namespace's network policies and the workloads' selectors match on them.
 */
import { K8S } from "../../../workloads/shared/conventions";

export function searchLabels(component: string, name?: string): Record<string, string> {
  return { ...(name === undefined ? {} : { [K8S.name]: name }), [K8S.component]: component, [K8S.partOf]: "search" };
}
