# Ubuntu 22.04 for research instances and EKS nodes: R550 driver, CUDA 12.4, cuDNN 9.1.
combination                      = "ubuntu22-driver550-cuda12.4-cudnn9"
base_os                          = "ubuntu22"
nvidia_driver_version            = "550.127.05"
cuda_version                     = "12.4.1"
cudnn_version                    = "9.1.0.70"
nvidia_container_toolkit_version = "1.16.2"
