/*-------------------------------------------------------------------------
 *
 * import_peers.c
 *	  import flyway|dbmate|goose|golang-migrate|sqitch DIR: file
 *	  conversions of the other tools' migration directories.
 *
 *-------------------------------------------------------------------------
 */
#include "cli.h"

void
import_peer(const char *tool, const char *dir, ImportSet *s)
{
	die(EXIT_USAGE, "import %s is not supported yet", tool);
}
