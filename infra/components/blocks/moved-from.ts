/**
 * Resources a block now builds that a component used to build itself: each gets an alias to its
 * old URN (same type, old parent, old name), so `pulumi up` on a stack that already has them
 * moves nothing. New stacks leave it unset.
 */
import type * as pulumi from "@pulumi/pulumi";

export interface MovedFrom<Part extends string> {
  /** The component the resources were children of before the block built them. */
  parent: pulumi.Resource;
  /** Old names, by the block's part, where they differ from the names the block gives. Default: the same names. */
  names?: Partial<Record<Part, string>>;
}

/** Options for the block's child `part`: parented to the block, aliased to where it was before. */
export function childOptions<Part extends string>(
  block: pulumi.Resource,
  moved: MovedFrom<Part> | undefined,
  part: Part,
): pulumi.CustomResourceOptions {
  if (moved === undefined) return { parent: block };
  const name = moved.names?.[part];
  return { parent: block, aliases: [{ parent: moved.parent, ...(name === undefined ? {} : { name }) }] };
}
