# Sourced by the scripts that run on the GPU machine (gpu.sh, gpu-train.sh, gpu-apply.sh) with .gpu/ carried: installs
# the Vulkan/GL loaders Dawn needs to reach the NVIDIA driver, unpacks Node to /tmp/node and Dawn to /tmp/dawn.node,
# and names the GPU.
for f in .gpu/gl/*.deb; do dpkg -x "$f" /; done; ldconfig
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
xz -dc .gpu/node.xz > /tmp/node && chmod +x /tmp/node
xz -dc .gpu/dawn.node.xz > /tmp/dawn.node
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
