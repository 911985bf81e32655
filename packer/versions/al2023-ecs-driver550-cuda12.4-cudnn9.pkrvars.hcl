# Amazon Linux 2023 ECS-optimized base for the ECS GPU capacity provider.
combination                      = "al2023-ecs-driver550-cuda12.4-cudnn9"
base_os                          = "al2023"
nvidia_driver_version            = "550.127.05"
cuda_version                     = "12.4.1"
cudnn_version                    = "9.1.0.70"
nvidia_container_toolkit_version = "1.16.2"
