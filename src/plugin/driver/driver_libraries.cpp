// SPDX-License-Identifier: BSD-3-Clause
// The one table of what an NVIDIA driver volume holds: nvidia-docker 1.0's list
// plus what drivers have shipped since. A library goes in only when its file is
// of the running driver (its real name ends with ".<driver version>"), so a
// stem listed here that a driver does not ship costs one log line, nothing more.
//
// Left out on purpose: GLVND's vendor-neutral loaders (libGLX, libOpenGL,
// libGLdispatch, GLVND's libEGL/libGL; 1.0 mounted them, but they carry
// libglvnd's version, not the driver's, and the image's own loaders must be
// used), the X server's modules (libglx, nvidia_drv, libnvidia-wfb),
// nvidia-settings' GTK libraries, and the libraries versioned on their own
// (libnvidia-egl-wayland, libnvidia-egl-gbm).
#include "nvd/plugin/driver/driver_libraries.hpp"

#include "nvd/common/strings.hpp"

namespace nvd {

namespace {

// The table's ways to name a library.
DriverLibrary plain(std::string_view stem) { return {stem, false, false, LibraryCondition::none, ""}; }
DriverLibrary required(std::string_view stem, std::string_view extra_link = "") {
  return {stem, false, true, LibraryCondition::none, extra_link};
}
DriverLibrary with_link(std::string_view stem, std::string_view extra_link) {
  return {stem, false, false, LibraryCondition::none, extra_link};
}
DriverLibrary by_prefix(std::string_view stem) { return {stem, true, false, LibraryCondition::none, ""}; }
DriverLibrary only_if(LibraryCondition condition, std::string_view stem) {
  return {stem, false, false, condition, ""};
}

const std::vector<DriverLibrary> libraries = {
    // ----- Compute -----
    // CUDA driver API. "libcuda.so" is what `-lcuda` and some runtimes open.
    required("libcuda", "libcuda.so"),
    // NVML, the management library (nvidia-smi, monitoring agents).
    required("libnvidia-ml"),
    // PTX to GPU code JIT compiler, loaded by libcuda.
    plain("libnvidia-ptxjitcompiler"),
    // NVVM IR compiler, loaded by libcuda (JIT link-time optimisation).
    plain("libnvidia-nvvm"),
    // GPU code compiler shared by the compute and graphics stacks (newer drivers).
    plain("libnvidia-gpucomp"),
    // The driver's buffer allocator, used by its GBM backend.
    plain("libnvidia-allocator"),
    // CUDA debugger back end, loaded by cuda-gdb through libcuda.
    plain("libcudadebugger"),
    // NVIDIA's OpenCL ICD (the image brings the libOpenCL loader).
    plain("libnvidia-opencl"),
    // GPU configuration queries (nvidia-xconfig, nvidia-settings, some tools).
    plain("libnvidia-cfg"),
    // NVSwitch configuration and query (hosts with NVSwitch and fabric manager).
    plain("libnvidia-nscq"),
    // Confidential computing's PKCS#11 providers: libnvidia-pkcs11,
    // libnvidia-pkcs11-openssl3, ...
    by_prefix("libnvidia-pkcs11"),
    // Fat binary loader, used by libcuda of older drivers.
    plain("libnvidia-fatbinaryloader"),
    // NVVM-PTX compiler for OpenCL, in older drivers.
    plain("libnvidia-compiler"),

    // ----- Video -----
    // NVIDIA's VDPAU driver.
    plain("libvdpau_nvidia"),
    // NVENC, the video encoder.
    plain("libnvidia-encode"),
    // NVDEC/CUVID, the video decoder.
    plain("libnvcuvid"),
    // The Optical Flow SDK's driver part.
    plain("libnvidia-opticalflow"),
    // NvFBC, framebuffer capture.
    plain("libnvidia-fbc"),
    // NvIFR, OpenGL framebuffer capture (older drivers).
    plain("libnvidia-ifr"),

    // ----- Graphics -----
    // EGL and OpenGL ES core, used by libEGL_nvidia and libGLES*_nvidia.
    plain("libnvidia-eglcore"),
    // OpenGL core, used by libGLX_nvidia (or the legacy libGL).
    plain("libnvidia-glcore"),
    // Thread-local storage for the OpenGL libraries. Older drivers shipped two
    // files of this name, one per thread-local storage model, for ld.so to
    // pick at run time: the classic one in the library folder and the ELF-TLS
    // one in its tls/ subfolder, whose GNU ABI tag says Linux 2.3.99. Every
    // glibc an image holds uses ELF TLS, and the two cannot share lib64/, so
    // only a file tagged 2.3.99 or later (or untagged) goes in, whatever its
    // folder. Newer drivers ship that one alone.
    only_if(LibraryCondition::new_tls_abi, "libnvidia-tls"),
    // OpenGL system interaction, used by libEGL_nvidia.
    plain("libnvidia-glsi"),
    // Ray-tracing core, used by OptiX.
    plain("libnvidia-rtcore"),
    // OptiX, the ray-tracing engine.
    plain("libnvoptix"),
    // GLVND's GLX vendor library. libGLX_indirect.so.0 is what GLVND loads for
    // a screen whose vendor it cannot ask (remote X, Xvfb): NVIDIA's, here.
    with_link("libGLX_nvidia", "libGLX_indirect.so.0"),
    // GLVND's EGL vendor library.
    plain("libEGL_nvidia"),
    // GLVND's OpenGL ES 2/3 vendor library.
    plain("libGLESv2_nvidia"),
    // GLVND's OpenGL ES 1 vendor library.
    plain("libGLESv1_CM_nvidia"),
    // SPIR-V front end of the OpenGL and Vulkan drivers.
    plain("libnvidia-glvkspirv"),
    // The driver's own legacy (non-GLVND) GLX/OpenGL client library.
    only_if(LibraryCondition::nvidia_gl_core, "libGL"),
    // The driver's own legacy EGL library.
    only_if(LibraryCondition::nvidia_gl_core, "libEGL"),
    // The driver's own legacy OpenGL ES 1 library.
    only_if(LibraryCondition::nvidia_gl_core, "libGLESv1_CM"),
    // The driver's own legacy OpenGL ES 2/3 library.
    only_if(LibraryCondition::nvidia_gl_core, "libGLESv2"),
};

const std::vector<std::string_view> binaries = {
    "nvidia-smi",              // the management CLI
    "nvidia-debugdump",        // GPU state dumps for bug reports
    "nvidia-persistenced",     // keeps the driver loaded between clients
    "nvidia-cuda-mps-control", // starts and controls the Multi-Process Service
    "nvidia-cuda-mps-server",  // the MPS server it starts
    "nv-fabricmanager",        // NVSwitch fabric manager (HGX hosts)
};

} // namespace

const std::vector<DriverLibrary> &driver_libraries() { return libraries; }

const std::vector<std::string_view> &driver_binaries() { return binaries; }

std::string_view library_stem(std::string_view file_name) {
  // The first ".so" that ends the name or is followed by a version:
  // "libnvrtc.alt.so.13" -> "libnvrtc.alt", "libfoo.sox.so" -> "libfoo.sox".
  for (std::size_t so = file_name.find(".so"); so != std::string_view::npos;
       so = file_name.find(".so", so + 1))
    if (so > 0 && (so + 3 == file_name.size() || file_name[so + 3] == '.'))
      return file_name.substr(0, so);
  return file_name;
}

const DriverLibrary *driver_library_of(std::string_view file_name) {
  const std::string_view stem = library_stem(file_name);
  if (stem == file_name)
    return nullptr;
  for (const DriverLibrary &library : libraries)
    if (library.by_prefix ? starts_with(stem, library.stem) : stem == library.stem)
      return &library;
  return nullptr;
}

} // namespace nvd
