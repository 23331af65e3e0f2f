/**
 * Metres per degree: the one home of the Earth's size. Two values exist on purpose, each for a reason:
 *
 *   M_PER_DEG          6,371,008.8 m (IUGG mean radius) × π / 180 = 111,195.0797… m. The compiler projects
 *                      geometry with it on the host (kx, ky travel in the bundle as f32), and the synthetic workload
 *                      uses it to stay consistent with that projection. Changing it changes every bundle's bytes.
 *   M_PER_DEG_ROUNDED  the same rounded to the metre, 111,195: an exact integer, so every engine reads the same bits
 *                      (Espruino parses decimal literals inexactly). The device's implied-speed check uses it; the
 *                      0.08 m/deg it drops (7e-7 relative) is far below any speed threshold. The simulator's
 *                      scenario shifts and report drawing use it too, so a shift of n metres is n metres to the device.
 */
// π is written out (it is Math.PI's exact double) so the device build can drop this host-only value as unused.
export var M_PER_DEG = 6371008.8 * 3.141592653589793 / 180;
export var M_PER_DEG_ROUNDED = 111195;
