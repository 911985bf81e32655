# Ubuntu 22.04 on the R580 driver for CUDA 13 (CUDA 13 needs driver 580 or newer).
combination                      = "ubuntu22-driver580-cuda13.0-cudnn9"
base_os                          = "ubuntu22"
nvidia_driver_version            = "580.95.05"
cuda_version                     = "13.0.2"
cudnn_version                    = "9.14.0.64"
nvidia_container_toolkit_version = "1.18.0"
