/** Where @temporalio/core-bridge keeps its native library, one directory per Rust target. */
export const CORE_BRIDGE_RELEASES = 'node_modules/@temporalio/core-bridge/releases';

/** Docker's TARGETARCH and the core bridge's Linux target for each architecture the image is built for. */
export const PLATFORMS: Record<string, { dockerArch: string; coreBridgeTarget: string }> = {
  x64: { dockerArch: 'amd64', coreBridgeTarget: 'x86_64-unknown-linux-gnu' },
  arm64: { dockerArch: 'arm64', coreBridgeTarget: 'aarch64-unknown-linux-gnu' },
};

export const thisPlatform = PLATFORMS[process.arch] ?? { dockerArch: process.arch, coreBridgeTarget: `${process.arch}-unknown-linux-gnu` };
