# Amazon Linux 2023 EKS-optimized base (Kubernetes 1.33, nodeadm) for the search layer's GPU node group.
combination                      = "al2023-eks1.33-driver550-cuda12.4-cudnn9"
base_os                          = "al2023-eks"
kubernetes_version               = "1.33"
nvidia_driver_version            = "550.127.05"
cuda_version                     = "12.4.1"
cudnn_version                    = "9.1.0.70"
nvidia_container_toolkit_version = "1.16.2"
