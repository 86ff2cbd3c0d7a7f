# Sourced by the GPU scripts (gpu.sh, gpu-train.sh, gpu-apply.sh, gpu-spectrogram-epoch.sh, gpu-velocity.sh) on the GPU
# machine, with .gpu/ carried
# (`npm run bench -- ml-gpu-prep` and ../shared/tools/gpu-prep.sh): the Vulkan loader, Node and Dawn's native module
# unpacked to /tmp/node and /tmp/dawn.node, and the GPU named.
for f in .gpu/gl/*.deb; do dpkg -x "$f" /; done; ldconfig
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
xz -dc .gpu/node.xz > /tmp/node && chmod +x /tmp/node
xz -dc .gpu/dawn.node.xz > /tmp/dawn.node
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
