"""Public Atom feeds of current warnings: one for people (HTML summaries), one linking each CAP document."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from yingji.warnings.selectors import public_current_warnings


class CurrentWarningsFeed(Feed):
    feed_type = Atom1Feed
    title = _("当前生效的预警信息")
    subtitle = _("应急管理局发布的预警，按发布时间倒序")

    def link(self):
        return reverse("warnings:public_list")

    def items(self):
        return public_current_warnings()[:200]

    def item_title(self, item):
        return item.headline

    def item_description(self, item):
        return f"{item.get_level_display()} {item.description}\n{item.instructions}"

    def item_link(self, item):
        return reverse("warnings:public_document", args=[item.identifier])

    def item_guid(self, item):
        return item.identifier

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at


class CapFeed(CurrentWarningsFeed):
    """The CAP index feed: each entry's link is the CAP 1.2 document itself (as alert hubs expect)."""

    title = _("当前生效的预警信息（CAP 1.2）")

    def item_enclosure_url(self, item):
        return self.item_link(item)

    def item_enclosure_mime_type(self, item):
        return "application/cap+xml"

    def item_enclosure_length(self, item):
        return len(item.cap_xml.encode("utf-8"))
