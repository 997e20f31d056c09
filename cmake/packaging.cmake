# SPDX-License-Identifier: BSD-3-Clause
# Installation layout and the Debian package (CPack).

# System files: under / when installing into /usr (a Debian package), else
# under the prefix. Stage with DESTDIR to install elsewhere.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(NVD_SYSTEMD_UNIT_DIR "/lib/systemd/system")
else()
  set(NVD_SYSTEMD_UNIT_DIR "lib/systemd/system")
endif()

set(NVD_GENERATED ${PROJECT_BINARY_DIR}/generated)
foreach(page nvidia-docker.1 nvidia-docker-plugin.8)
  configure_file(${PROJECT_SOURCE_DIR}/packaging/man/${page}.in ${NVD_GENERATED}/man/${page} @ONLY)
endforeach()
configure_file(${PROJECT_SOURCE_DIR}/packaging/debian/changelog.in ${NVD_GENERATED}/debian/changelog @ONLY)
configure_file(${PROJECT_SOURCE_DIR}/packaging/debian/copyright.in ${NVD_GENERATED}/debian/copyright COPYONLY)

# Debian wants man pages and changelogs compressed with gzip -9n.
find_program(NVD_GZIP gzip REQUIRED)
set(NVD_COMPRESSED)
foreach(file man/nvidia-docker.1 man/nvidia-docker-plugin.8 debian/changelog)
  add_custom_command(
    OUTPUT ${NVD_GENERATED}/${file}.gz
    COMMAND ${NVD_GZIP} -9n -c ${NVD_GENERATED}/${file} > ${NVD_GENERATED}/${file}.gz
    DEPENDS ${NVD_GENERATED}/${file}
    VERBATIM)
  list(APPEND NVD_COMPRESSED ${NVD_GENERATED}/${file}.gz)
endforeach()
add_custom_target(nvd_compressed_docs ALL DEPENDS ${NVD_COMPRESSED})

install(FILES ${NVD_GENERATED}/man/nvidia-docker.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${NVD_GENERATED}/man/nvidia-docker-plugin.8.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/completion/nvidia-docker.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME nvidia-docker)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/completion/_nvidia-docker
        DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/nvidia-docker-plugin.service DESTINATION ${NVD_SYSTEMD_UNIT_DIR})
# The plugin's volumes folder (-d), 1.0's place, so a 1.0 host's volumes stay valid.
install(DIRECTORY DESTINATION ${CMAKE_INSTALL_FULL_LOCALSTATEDIR}/lib/nvidia-docker/volumes)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/nvidia-docker-plugin.default
        DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/default RENAME nvidia-docker-plugin)
install(FILES ${NVD_GENERATED}/debian/copyright ${NVD_GENERATED}/debian/changelog.gz
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${PROJECT_SOURCE_DIR}/packaging/debian/lintian-overrides
        DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides RENAME nvidia-docker)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME nvidia-docker)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "nvidia-docker maintainers <maintainers@nvidia-docker.invalid>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # nvidia-docker_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# libcurl is loaded with dlopen (for plugins on other hosts): dpkg-shlibdeps cannot see it.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libcurl4 (>= 7.88)")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "docker.io | docker-ce-cli, openssh-client")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/nvidia-docker-cpp/nvidia-docker")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "drop-in docker wrapper that starts GPU containers")
set(CPACK_PACKAGE_DESCRIPTION
    "nvidia-docker replaces the docker command: for run and create it finds the
image, reads its GPU labels, asks nvidia-docker-plugin which GPU devices
and driver volume to hand over, and runs docker with them. Every other
command goes to docker untouched.

nvidia-docker-plugin serves the GPU REST API (devices, driver volume,
status) on localhost:3476.")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
    ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
    ${PROJECT_SOURCE_DIR}/packaging/debian/postrm
    ${PROJECT_SOURCE_DIR}/packaging/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
include(CPack)
