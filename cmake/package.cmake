# `make package`: a Debian package (CPack DEB) with the daemon, the packaged config as a
# conffile, the systemd unit and the docs.
# /etc/faxd/faxd.toml is config/faxd.toml with the few values that differ on a server, so the two
# never drift apart: state in /var/lib/faxd, no demo tenant, no default admin password.
file(READ ${PROJECT_SOURCE_DIR}/config/faxd.toml faxd_toml)
string(REPLACE "# faxd configuration used by `make run`: a local demo that faxes itself."
       "# faxd configuration (/etc/faxd/faxd.toml); see /usr/share/doc/faxd/admin-guide.md." faxd_toml "${faxd_toml}")
string(REGEX REPLACE "\ndata_dir = \"var\"" "\ndata_dir = \"/var/lib/faxd\"" faxd_toml "${faxd_toml}")
string(REGEX REPLACE "\npassword = \"admin\"" "\npassword = \"\"   " faxd_toml "${faxd_toml}")
string(REGEX REPLACE "\n\\[demo\\]\nenabled = true " "\n[demo]\nenabled = false" faxd_toml "${faxd_toml}")
file(WRITE ${PROJECT_BINARY_DIR}/faxd-packaged.toml "${faxd_toml}")
install(FILES ${PROJECT_BINARY_DIR}/faxd-packaged.toml DESTINATION /etc/faxd RENAME faxd.toml)
install(FILES ${PROJECT_SOURCE_DIR}/config/faxd.service DESTINATION /lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION share/doc/faxd)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION share/doc/faxd FILES_MATCHING PATTERN "*.md" PATTERN "*.png")
install(FILES ${PROJECT_SOURCE_DIR}/packaging/kamailio/faxd-edge.cfg DESTINATION share/doc/faxd/examples/kamailio)

# `make package` builds everything first; cpack itself then only installs what is built (it would
# otherwise rebuild the whole tree, tests included, through the `preinstall` target).
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME faxd)
set(CPACK_PACKAGE_VENDOR "faxd developers")
set(CPACK_PACKAGE_CONTACT "faxd developers <faxd@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Self-hosted virtual fax service (SIP, T.38, G.711, web UI)")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION comm)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON)
# fonts-dejavu-core: the font of drawn pages (cover, page header line); pango finds it by name.
# cracklib-runtime: the dictionary the password policy checks against (libcrack2 comes from
# shlibdeps).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, fonts-dejavu-core, cracklib-runtime")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
    ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
    ${PROJECT_SOURCE_DIR}/packaging/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
