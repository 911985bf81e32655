# GPU AMIs: one source for every base OS (local.base_images), one build per combination file in versions/.
#   scripts/packer-build <combination>

packer {
  required_version = ">= 1.10.0"
  required_plugins {
    amazon = {
      version = ">= 1.3.2"
      source  = "github.com/hashicorp/amazon"
    }
  }
}

# ---- the combination (packer/versions/<name>.pkrvars.hcl) ----
variable "combination" {
  type        = string
  description = "Name of the combination file; becomes the AMI name prefix and the SSM parameter."
}
variable "base_os" {
  type = string
  validation {
    condition     = contains(["ubuntu22", "al2023", "al2023-eks"], var.base_os)
    error_message = "The base_os must be ubuntu22, al2023 or al2023-eks."
  }
}
variable "nvidia_driver_version" {
  type = string
  validation {
    condition     = can(regex("^[0-9]{3}\\.[0-9]+(\\.[0-9]+)?$", var.nvidia_driver_version))
    error_message = "The nvidia_driver_version must look like 550.127.05."
  }
}
variable "cuda_version" {
  type = string
  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.cuda_version))
    error_message = "The cuda_version must look like 12.4.1."
  }
}
variable "cudnn_version" {
  type = string
  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$", var.cudnn_version))
    error_message = "The cudnn_version must look like 9.1.0.70."
  }
}
variable "nvidia_container_toolkit_version" {
  type = string
}
variable "kubernetes_version" {
  type        = string
  default     = "1.33"
  description = "al2023-eks only: the Kubernetes minor of the EKS-optimized base image (set by the combination file)."
  validation {
    condition     = can(regex("^1\\.[0-9]{2}$", var.kubernetes_version))
    error_message = "The kubernetes_version must be a Kubernetes minor like 1.33."
  }
}

# ---- where and how to build ----
variable "region" {
  type    = string
  default = "us-east-1"
}
variable "builder_instance_type" {
  type        = string
  default     = "g4dn.xlarge"
  description = "Must have an NVIDIA GPU: the build verifies the driver on real hardware."
}
variable "subnet_id" {
  type    = string
  default = null
}
variable "volume_size_gb" {
  type    = number
  default = 60
}
variable "ami_users" {
  type        = list(string)
  default     = []
  description = "Accounts the AMI is shared with (e.g. research accounts)."
}
variable "git_revision" {
  type    = string
  default = "unknown"
}
variable "skip_credential_validation" {
  type        = bool
  default     = false
  description = "Only for offline `packer validate`."
}

locals {
  cuda_major_minor = join(".", slice(split(".", var.cuda_version), 0, 2))
  driver_branch    = split(".", var.nvidia_driver_version)[0]
  build_time       = timestamp()
  ami_name         = "ml-platform-gpu-${var.combination}-${formatdate("YYYYMMDD-hhmm", local.build_time)}"
  tags = {
    "ml-platform:combination"  = var.combination
    "ml-platform:base-os"      = var.base_os
    "nvidia-driver"            = var.nvidia_driver_version
    "cuda"                     = var.cuda_version
    "cudnn"                    = var.cudnn_version
    "nvidia-container-toolkit" = var.nvidia_container_toolkit_version
    "kubernetes"               = var.base_os == "al2023-eks" ? var.kubernetes_version : "none"
    "git-revision"             = var.git_revision
    "build-time"               = local.build_time
    Project                    = "ml-platform"
  }
  provision_env = [
    "BASE_OS=${var.base_os}",
    "DRIVER_VERSION=${var.nvidia_driver_version}",
    "DRIVER_BRANCH=${local.driver_branch}",
    "CUDA_VERSION=${var.cuda_version}",
    "CUDNN_VERSION=${var.cudnn_version}",
    "NCT_VERSION=${var.nvidia_container_toolkit_version}",
  ]
  base = local.base_images[var.base_os]
  # What differs between the base OSes; everything else about the builder is the one source below.
  base_images = {
    ubuntu22 = {
      ssh_username = "ubuntu"
      ami_name     = "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*"
      owners       = ["099720109477"] # Canonical
      root_device  = "/dev/sda1"
    }
    # The ECS-optimized AL2023 image: the ECS agent is already there; we add the GPU stack.
    al2023 = {
      ssh_username = "ec2-user"
      ami_name     = "al2023-ami-ecs-hvm-*-x86_64"
      owners       = ["amazon"]
      root_device  = "/dev/xvda"
    }
    # The EKS-optimized AL2023 image for the search layer's GPU node group: containerd, kubelet and
    # nodeadm are already there (nodes join through nodeadm user data); we add the GPU stack. Not the
    # EKS NVIDIA variant: its driver is AWS's choice and is never checked on a GPU during its build.
    al2023-eks = {
      ssh_username = "ec2-user"
      ami_name     = "amazon-eks-node-al2023-x86_64-standard-${var.kubernetes_version}-v*"
      owners       = ["amazon"]
      root_device  = "/dev/xvda"
    }
  }
}

# One builder for every base OS: the combination's base_os picks its row of local.base_images.
source "amazon-ebs" "gpu" {
  region                     = var.region
  instance_type              = var.builder_instance_type
  subnet_id                  = var.subnet_id
  ssh_username               = local.base.ssh_username
  ami_name                   = local.ami_name
  ami_users                  = var.ami_users
  skip_credential_validation = var.skip_credential_validation
  imds_support               = "v2.0"
  tags                       = local.tags
  run_tags                   = local.tags
  metadata_options {
    http_tokens                 = "required"
    http_endpoint               = "enabled"
    http_put_response_hop_limit = 1
  }
  source_ami_filter {
    filters = {
      name                = local.base.ami_name
      virtualization-type = "hvm"
      root-device-type    = "ebs"
    }
    owners      = local.base.owners
    most_recent = true
  }
  launch_block_device_mappings {
    device_name           = local.base.root_device
    volume_size           = var.volume_size_gb
    volume_type           = "gp3"
    encrypted             = true
    delete_on_termination = true
  }
}

build {
  sources = ["source.amazon-ebs.gpu"]

  provisioner "shell" {
    environment_vars = local.provision_env
    execute_command  = "chmod +x {{ .Path }}; sudo -E {{ .Vars }} {{ .Path }}"
    scripts = [
      "${path.root}/scripts/nvidia-repo.sh",
      "${path.root}/scripts/nvidia-driver.sh",
    ]
  }

  # The driver's kernel module loads cleanly only after a reboot.
  provisioner "shell" {
    inline            = ["sudo reboot"]
    expect_disconnect = true
  }

  provisioner "shell" {
    pause_before     = "30s"
    environment_vars = local.provision_env
    execute_command  = "chmod +x {{ .Path }}; sudo -E {{ .Vars }} {{ .Path }}"
    scripts = [
      "${path.root}/scripts/cuda.sh",
      "${path.root}/scripts/cudnn.sh",
      "${path.root}/scripts/container-toolkit.sh",
      "${path.root}/scripts/cloudwatch-agent.sh",
      "${path.root}/scripts/ecs-gpu.sh",
      "${path.root}/scripts/eks-gpu.sh",
    ]
  }

  provisioner "file" {
    source      = "${path.root}/verify/cuda-check.cu"
    destination = "/tmp/cuda-check.cu"
  }

  # Fails the build unless the GPU stack works on this GPU builder.
  provisioner "shell" {
    environment_vars = local.provision_env
    execute_command  = "chmod +x {{ .Path }}; sudo -E {{ .Vars }} {{ .Path }}"
    script           = "${path.root}/scripts/verify-gpu.sh"
  }

  post-processor "manifest" {
    output     = "${path.root}/manifests/${var.combination}.json"
    strip_path = true
    custom_data = {
      combination              = var.combination
      base_os                  = var.base_os
      nvidia_driver            = var.nvidia_driver_version
      cuda                     = var.cuda_version
      cudnn                    = var.cudnn_version
      nvidia_container_toolkit = var.nvidia_container_toolkit_version
      kubernetes               = var.base_os == "al2023-eks" ? var.kubernetes_version : "none"
      source_ami               = "{{ .SourceAMI }}"
      build_time               = local.build_time
      git_revision             = var.git_revision
    }
  }
}
