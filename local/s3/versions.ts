/** A bucket's versioning state: never set, or as PutBucketVersioning last left it. */
export type VersioningStatus = 'Enabled' | 'Suspended';

/** One version of an object, or a delete marker. */
export interface ObjectVersion {
  key: string;
  /** `null` (the string, as S3 spells it) for objects put while versioning is off or suspended. */
  versionId: string;
  deleteMarker?: boolean;
  /** The generated name of the file that holds the bytes; never derived from the key. */
  dataId?: string;
  size: number;
  /** With its quotes, as S3 sends it. */
  etag: string;
  lastModified: number;
  /** Content-Type, -Encoding, -Disposition, Cache-Control, Expires and `x-amz-meta-*` headers. */
  headers: Record<string, string>;
}

/** What one write does to a key's versions: a version added, versions removed for good. */
export interface VersionChange {
  key: string;
  add?: ObjectVersion;
  remove: string[];
}

/** The version id S3 gives objects written while versioning is not enabled. */
export const NULL_VERSION = 'null';

/** A PUT: with versioning enabled a new version; otherwise it replaces the `null` version. */
export function planPut(
  versions: readonly ObjectVersion[],
  status: VersioningStatus | undefined,
  version: ObjectVersion,
): VersionChange {
  const remove =
    status === 'Enabled'
      ? []
      : versions.filter((v) => v.versionId === NULL_VERSION).map((v) => v.versionId);
  return { key: version.key, add: version, remove };
}

/**
 * A DELETE without a version id, as S3 documents it: unversioned buckets remove the object;
 * enabled ones add a delete marker; suspended ones replace the `null` version with a `null` marker.
 */
export function planDelete(
  versions: readonly ObjectVersion[],
  status: VersioningStatus | undefined,
  marker: { key: string; versionId: string; lastModified: number },
): VersionChange {
  const nulls = versions.filter((v) => v.versionId === NULL_VERSION).map((v) => v.versionId);
  if (status === undefined) return { key: marker.key, remove: nulls };
  const versionId = status === 'Enabled' ? marker.versionId : NULL_VERSION;
  return {
    key: marker.key,
    add: { ...marker, versionId, deleteMarker: true, size: 0, etag: '', headers: {} },
    remove: status === 'Enabled' ? [] : nulls,
  };
}

/** The versions after a change, newest first. */
export function applyChange(
  versions: readonly ObjectVersion[],
  change: VersionChange,
): ObjectVersion[] {
  const kept = versions.filter((v) => !change.remove.includes(v.versionId));
  return change.add ? [change.add, ...kept] : kept;
}
